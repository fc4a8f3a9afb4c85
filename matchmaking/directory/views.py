from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from matchmaking.directory import glance, japan_map
from matchmaking.directory.listing import SORTS, DirectoryFilters, FilterOptions, browse
from profiles.models import Organization, Prefecture, PrefectureGuide
from profiles.models.curation import is_curator
from profiles.templatetags.bilingual import text_language

PREFECTURE_PAGE_ORGANIZATIONS = 12


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
@vary_on_headers("HX-Request")
def directory(request: HtmxHttpRequest) -> HttpResponse:
    options = FilterOptions.load()
    filters = DirectoryFilters.from_query(request.GET, options)
    result = browse(filters, options)
    context = {"result": result, "filters": filters, "options": options, "sorts": SORTS}
    if is_curator(request.user):
        # Only curators get the link; the export view checks again and scopes the rows.
        context["export_query"] = filters.querystring(sort="relevance", page=1)
    # A history restore asks for the whole page even though it says HX-Request.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "matchmaking/directory/directory.html#results", context)
        canonical = reverse("directory:search")
        if query := filters.querystring():
            canonical += f"?{query}"
        return push_url(response, canonical)
    return render(request, "matchmaking/directory/directory.html", context)


@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.visible_to(request.user)
        .select_related("prefecture__region", "municipality", "verified_by")
        # The page and the at-a-glance reading both list them: read once.
        .prefetch_related("industries", "partnership_types", "languages"),
        pk=pk,
    )
    # ?text=ja shows the profile in Japanese without switching the whole site.
    requested = request.GET.get("text")
    text_lang = text_language(requested if requested in ("en", "ja") else None)
    reader = get_language() or "en"
    reading = glance.glance(organization, reader)
    keywords = reading.keywords if reading else glance.keyword_readings(organization, reader)
    context = {
        "organization": organization,
        "text_lang": text_lang,
        "other_lang": "en" if text_lang == "ja" else "ja",
        "glance": reading,
        "keywords": keywords,
        "keywords_glossed": any(keyword.gloss for keyword in keywords),
        "industries": organization.industries.all(),
        "partnership_types": organization.partnership_types.all(),
        "languages": organization.languages.all(),
        "login_url": redirect_to_login(request.get_full_path()).url,
    }
    return render(request, "matchmaking/directory/organization_detail.html", context)


@require_GET
def prefecture_index(request: HttpRequest) -> HttpResponse:
    tiles = japan_map.tiles()
    context = {
        "tiles": tiles,
        "map": japan_map,
        "regions": _by_region(tiles),
    }
    return render(request, "matchmaking/directory/prefecture_index.html", context)


def _by_region(tiles: list[japan_map.Tile]) -> list[tuple[object, list[japan_map.Tile]]]:
    groups: dict[int, tuple[object, list[japan_map.Tile]]] = {}
    for tile in tiles:
        region = tile.prefecture.region
        groups.setdefault(region.pk, (region, []))[1].append(tile)
    return sorted(groups.values(), key=lambda group: group[0].order)  # type: ignore[attr-defined]


@require_GET
def prefecture_detail(request: HttpRequest, key: str) -> HttpResponse:
    prefecture = _prefecture(key)
    published = Organization.objects.published().filter(prefecture=prefecture)
    counts = published.aggregate(
        total=Count("pk"), dragons=Count("pk", filter=Q(lying_dragon=True))
    )
    organizations = published.select_related("prefecture", "municipality").order_by(
        "-lying_dragon", "-updated_at", "pk"
    )
    context = {
        "prefecture": prefecture,
        "guide": PrefectureGuide.objects.filter(prefecture=prefecture).first(),
        "counts": counts,
        "dragons": organizations.filter(lying_dragon=True)[:PREFECTURE_PAGE_ORGANIZATIONS],
        "others": organizations.filter(lying_dragon=False)[:PREFECTURE_PAGE_ORGANIZATIONS],
        "directory_query": DirectoryFilters(prefecture=prefecture.code).querystring(),
        "dragons_query": DirectoryFilters(prefecture=prefecture.code, dragons=True).querystring(),
    }
    return render(request, "matchmaking/directory/prefecture_detail.html", context)


def _prefecture(key: str) -> Prefecture:
    """Find a prefecture by JIS code ("43") or by its English name as a slug ("kumamoto")."""
    prefectures = Prefecture.objects.select_related("region")
    if key.isdigit():
        return get_object_or_404(prefectures, code=key.zfill(2))
    for prefecture in prefectures:
        if slugify(prefecture.name_en) == key.lower():
            return prefecture
    raise Http404


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "matchmaking/directory/sources.html")
