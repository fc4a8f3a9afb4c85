"""Every page is valid HTML: the Nu Html Checker (vnu, the W3C's validator) reads the pages of
tests/pages.py and more (forms with their errors, the pages behind mailed links, htmx
partials, error pages) as each role, in every language of settings.LANGUAGES, rendered by
Django's test client on the demo data. One JVM checks them all at once; a failure lists each
error with the role, language, URL, line and vnu's message.

vnu.jar is fetched, not committed: `make vnu` (.ci/fetch-vnu) puts it in var/vendor/, or set
VNU_JAR=/path/to/vnu.jar. It needs Java 17 or newer (`apt-get install default-jre-headless`).
Outside CI a missing jar or Java skips this test; with CI=true it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.http import urlsafe_base64_encode

from matchmaking import demo, views
from matchmaking.demo import DEMO_EVENTS
from matchmaking.events.models import Event, Registration
from matchmaking.firms.accounts.services import account_sign_up, member_invite
from matchmaking.firms.introductions.services import introduction_request, introduction_transition
from matchmaking.firms.models import ForeignFirm, ShortlistEntry
from matchmaking.search.store import build_index
from matchmaking.templatetags.language_tags import bcp47
from profiles.importing.jobs import import_job_run
from profiles.models import ImportJob, Organization, PartnershipType
from profiles.services import organization_update
from tests.pages import ROLES

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[1]
VNU_JAR = Path(os.environ.get("VNU_JAR", REPO / "var" / "vendor" / "vnu.jar"))
IMPORT = REPO / "tests" / "profiles" / "data" / "kumamoto_edinet.csv"
IMPORT_WITH_ERRORS = IMPORT.with_name("kumamoto_edinet_with_errors.csv")

# htmx's attributes (hx-get, hx-target, hx-on::after-request...) are not in the HTML standard
# and vnu reports each one; they are the only messages set aside. Everything else is fixed in
# the templates.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[^”]+” not allowed on element “\w+” at this point\.$")


@dataclass(frozen=True)
class Visit:
    path: str  # may name an object or a link of the world: {organization}, {confirm}...
    post: dict[str, str] | None = None  # POSTed: the page shows its form's errors
    status: int = 200
    follow: bool = False  # follow redirects to the page
    shows: str = ""  # text the page must contain (a link's form, not "this link is not valid")
    htmx: bool = False  # a partial, checked inside a minimal page


# Beyond tests/pages.py: filters, empty results, forms with errors, objects, error pages.
MORE: dict[str, list[Visit]] = {
    "visitor": [
        Visit(
            "/organizations/?q=robot&kind=company&region=kyushu-okinawa&prefecture=43"
            "&industry=E&partnership=joint_rnd&language=en&dragons=1"
        ),
        Visit("/organizations/?q=zzxqv+nothing+matches"),
        Visit("/organizations/?q=半導体+ロボット"),
        Visit("/organizations/?page=2"),
        Visit("/prefectures/hokkaido/"),
        Visit("/accounts/login/", post={"username": "nobody@example.com", "password": "wrong"}),
        Visit("/accounts/sign-up/", post={"email": "not an address", "country": "??"}),
        Visit("/accounts/sign-up/done/"),
        Visit("/accounts/password-reset/", post={"email": "not an address"}, shows="<form"),
        Visit("/accounts/password-reset/sent/"),
        Visit("/accounts/reset/MQ/forged-token/"),
        Visit("/accounts/reset/done/"),
        Visit("/accounts/confirm/forged/", status=400),
        Visit("/accounts/invitation/forged/", status=400),
        Visit("{confirm}", shows="<form"),
        Visit("{invitation}", shows='name="password1"'),
        Visit("{invitation}", post={"password1": "short", "password2": "other"}, shows="<form"),
        Visit("{invitation_taken}", status=409),
        Visit("{password_reset}", follow=True, shows='name="new_password1"'),
        Visit("/organizations/987654/", status=404),
        Visit("/no-such-page/", status=404),
        Visit("/organizations/?q=robot&region=kyushu-okinawa", htmx=True),
    ],
    "firm member": [
        Visit("/firm/suggestions/?region=kyushu-okinawa&refine=welding+robots"),
        Visit("/introductions/{introduction}/"),
        Visit("/introductions/new/{organization}/", post={"proposal": ""}),
        Visit("/firm/profile/", post={"name": "", "country": "??"}, shows="<form"),
        Visit("/accounts/invite/"),
        Visit("/accounts/invite/", post={"email": "not an address"}, shows="<form"),
        Visit("/workspace/", status=403),
        Visit("/firm/suggestions/?refine=welding+robots", htmx=True),
        Visit("/firm/shortlist/{organization}/", post={"action": "add"}, htmx=True),
    ],
    "curator": [
        Visit("/workspace/organizations/?status=draft&kind=company"),
        Visit("/workspace/organizations/{organization}/update/", post={"name_en": ""}),
        Visit("/workspace/organizations/create/", post={"kind": "nonsense"}),
        Visit("/workspace/introductions/{introduction}/"),
        Visit("/workspace/import/jobs/{import_job}/"),
        Visit("/workspace/import/jobs/{clean_import_job}/"),
        Visit("/firm/profile/", status=403),
        Visit("/workspace/organizations/?q=a", htmx=True),
        Visit("/workspace/organizations/validate/", post={"name_en": ""}, htmx=True),
        Visit("/workspace/import/jobs/{import_job}/", htmx=True),
    ],
}


@dataclass
class Rendered:
    """The pages written for vnu, by file name, and what each one is."""

    directory: Path
    pages: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, html: str) -> None:
        name = f"{len(self.pages):03d}.html"
        (self.directory / name).write_text(html, encoding="utf-8")
        self.pages[name] = where


def _page(fragment: str, language: str) -> str:
    """A partial as htmx swaps it in: inside a page's body, beside the forms that its fields
    name with form="..." and that the page around it holds."""
    defined = set(re.findall(r'\bid="([^"]+)"', fragment))
    outside = sorted(set(re.findall(r'\bform="([^"]+)"', fragment)) - defined)
    forms = "".join(f'<form id="{name}"></form>' for name in outside)
    return (
        f'<!DOCTYPE html><html lang="{bcp47(language)}"><head><meta charset="utf-8">'
        f"<title>htmx partial</title></head><body>{forms}{fragment}</body></html>"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _java() -> str:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"the Nu Html Checker at {VNU_JAR} (make vnu)")
    if missing:
        message = "HTML validity needs " + " and ".join(missing)
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    assert java is not None
    return java


def _demo_world() -> dict[str, object]:
    """The demo data and its index; Maria's firm has shortlisted three organizations and asked
    for an introduction to a fourth, which Aiko has reviewed and edited; Aiko has checked an
    import file with errors and one without; and the links that a sign-up, two invitations
    (one to an address that has an account) and a password reset mailed."""
    demo.load_all()
    build_index()
    organization = (
        Organization.objects.published()
        .filter(prefecture__code="43")
        .exclude(contact_email="")
        .order_by("pk")
        .first()
    )
    assert organization is not None
    acme = ForeignFirm.objects.get(slug="acme-robotics")
    maria = User.objects.get(username="maria@acme-robotics.example")
    aiko = User.objects.get(username="aiko@pref-kumamoto.example")
    for other in Organization.objects.published().exclude(pk=organization.pk)[:3]:
        ShortlistEntry.objects.create(firm=acme, organization=other, note="Ask about export")
    request = introduction_request(
        firm=acme,
        organization=organization,
        user=maria,
        submission_key=uuid.uuid4(),
        site_url="http://testserver",
        partnership_type=PartnershipType.objects.get(code="joint_rnd"),
        proposal="Acme Robotics proposes joint development of welding cells.",
        preferred_language="en",
        contact_name="Maria",
        contact_email=maria.email,
    )
    introduction_transition(
        introduction=request, action="review", actor=aiko, by_firm=False, site_url=""
    )
    # The workspace's history and dashboard show the change (with its <time>).
    organization_update(
        organization=organization,
        data={"name_en": organization.name_en + " Works"},
        version=organization.version,
        user=aiko,
    )
    jobs = [
        ImportJob.objects.create(
            user=aiko, file_name=path.name, content=path.read_bytes(), mode=ImportJob.Mode.DRY_RUN
        )
        for path in (IMPORT_WITH_ERRORS, IMPORT)
    ]
    for job in jobs:
        import_job_run(job.pk)

    mail.outbox.clear()
    account_sign_up(
        email="new@firm.example",
        password="a long enough password",
        firm_name="Nordic Gears",
        country="FI",
        site_url="",
    )
    for email in ("ola@acme-robotics.example", aiko.email):
        member_invite(firm=acme, invited_by=maria, email=email, site_url="")
    links = [re.findall(r"/accounts/[^\s/]+/[^\s/]+/", str(m.body)) for m in mail.outbox]
    assert [len(found) for found in links] == [1, 1, 1], links
    (confirm,), (invitation,), (invitation_taken,) = links
    # Ben, who logs in nowhere here: logging in changes the token a reset link carries.
    ben = User.objects.get(username="ben@pref-hokkaido.example")
    uid = urlsafe_base64_encode(str(ben.pk).encode())
    return {
        "organization": organization.pk,
        "japanese_only": Organization.objects.published()
        .missing_english()
        .filter(prefecture__code="43")
        .order_by("pk")
        .values_list("pk", flat=True)[0],
        "introduction": request.pk,
        "event": Event.objects.get(title=DEMO_EVENTS[0]).pk,
        "open_event": Event.objects.get(title=DEMO_EVENTS[1]).pk,
        "event_participant": Registration.objects.filter(
            event__title=DEMO_EVENTS[0], organization_meetings__isnull=False
        )
        .order_by("pk")
        .values_list("pk", flat=True)[0],
        "import_job": jobs[0].pk,
        "clean_import_job": jobs[1].pk,
        "confirm": confirm,
        "invitation": invitation,
        "invitation_taken": invitation_taken,
        "password_reset": f"/accounts/reset/{uid}/{default_token_generator.make_token(ben)}/",
    }


def _render_pages(rendered: Rendered, world: dict[str, object]) -> None:
    for language, _name in settings.LANGUAGES:
        for role, (email, paths) in ROLES.items():
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if email:
                client.force_login(User.objects.get(username=email))
            for visit in [*map(Visit, paths), *MORE.get(role, [])]:
                path = visit.path.format(**world)
                method = "POST" if visit.post is not None else "GET"
                headers = {"HX-Request": "true"} if visit.htmx else {}
                where = f"{role}, {language}, {method}{' (htmx)' * visit.htmx} {path}"
                if visit.post is not None:
                    response = client.post(path, visit.post, headers=headers)
                else:
                    response = client.get(path, headers=headers, follow=visit.follow)
                assert response.status_code == visit.status, where
                html = response.content.decode()
                assert visit.shows in html, where
                if visit.htmx:
                    assert "<html" not in html, where
                    html = _page(html, language)
                assert f'<html lang="{bcp47(language)}"' in html, where
                rendered.add(where, html)
        # The two error pages no request above can reach.
        request = RequestFactory().get("/")
        with translation.override(language):
            rendered.add(f"500, {language}", views.server_error(request).content.decode())
            rendered.add(f"503, {language}", views.service_unavailable(request).content.decode())


def _check(java: str, rendered: Rendered) -> list[dict[str, object]]:
    files = [str(rendered.directory / name) for name in rendered.pages]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages: list[dict[str, object]] = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu did not answer in JSON (exit {result.returncode}):\n{result.stderr}")
    return messages


def test_every_page_is_valid_html(tmp_path: Path) -> None:
    java = _java()
    rendered = Rendered(tmp_path)
    # Known mistakes, checked in the same run: vnu must report the duplicate attribute and
    # the microseconds, and the filter must set aside the htmx attribute and nothing else.
    canary = (
        '<!DOCTYPE html><html lang="en"><head><title>Canary</title></head><body>'
        '<input type="email" name="e" type="text" aria-label="E">'
        '<time datetime="2026-01-02T03:04:05.123456+00:00">now</time>'
        '<a href="/" hx-get="/">home</a></body></html>'
    )
    rendered.add("canary", canary)
    _render_pages(rendered, _demo_world())

    errors: list[str] = []
    canary_messages: list[str] = []
    for message in _check(java, rendered):
        name = str(message.get("url", "")).rpartition("/")[2]
        text = str(message.get("message", ""))
        if HTMX_ATTRIBUTE.match(text):
            continue
        where = rendered.pages.get(name, name or "vnu")
        if where == "canary":
            canary_messages.append(text)
            continue
        line = message.get("lastLine", "?")
        extract = str(message.get("extract", "")).strip()
        errors.append(f"{where}, line {line}: {text}\n    {extract}")

    assert len(canary_messages) == 2, canary_messages
    assert "Duplicate attribute “type”." in canary_messages
    assert any("datetime" in text for text in canary_messages), canary_messages
    assert errors == [], f"{len(errors)} HTML errors:\n" + "\n".join(errors)
