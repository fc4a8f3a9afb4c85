from __future__ import annotations

from django.template import Context, Template

from matchmaking.directory.listing import FacetValue
from matchmaking.templatetags.filter_options import filter_options


def test_facet_values_show_their_count_and_the_chosen_one_is_selected() -> None:
    html = filter_options(
        [FacetValue("43", "Kumamoto", 1204), FacetValue("01", "Hokkaido", 7)], "43"
    )
    assert html == (
        '<option value="43" selected>Kumamoto (1,204)</option>'
        '<option value="01">Hokkaido (7)</option>'
    )


def test_pairs_are_escaped_and_nothing_is_selected_without_a_match() -> None:
    html = filter_options([("a&b", '<script>"x"</script>')], None)
    assert html == '<option value="a&amp;b">&lt;script&gt;&quot;x&quot;&lt;/script&gt;</option>'


def test_the_tag_renders_in_a_template_without_escaping_its_own_markup() -> None:
    template = Template("{% load filter_options %}{% filter_options values chosen %}")
    html = template.render(
        Context({"values": [("name", "Name"), ("updated", "Updated")], "chosen": "updated"})
    )
    assert (
        html
        == '<option value="name">Name</option><option value="updated" selected>Updated</option>'
    )
