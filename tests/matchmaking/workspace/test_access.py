"""The access matrix: role x action x object, for every view of the workspace and the admin.

The foreign-firm side (firm pages, introductions, the curators' queue, demand, accounts) has
its matrix in tests/matchmaking/access/; the check below that every URL pattern is in
a matrix covers both.

Aiko curates Kumamoto (A); Ben curates Hokkaido (B); Nora is a curator of no prefecture;
Maria is a foreign-firm member; Root is an admin. Each cell asserts the response and that
nothing changed when the action was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from profiles.models import Curatorship, ImportJob, Organization, PrefectureGuide
from tests.conftest import make_curator, make_organization
from tests.matchmaking.access.test_pages import COVERED as FIRM_SIDE

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "maria", "nora", "aiko", "ben", "root"]
SCOPE = {"aiko": {"A"}, "ben": {"B"}, "root": {"A", "B"}}
CODES = {"A": "43", "B": "01", "missing": "99"}
MISSING_PK = 987654

OK, LOGIN, FORBIDDEN, NOT_FOUND, INVALID = "ok", "login", 403, 404, "invalid"
EMPTY = "empty"  # answered, but with none of the rows asked for


@dataclass
class World:
    users: dict[str, Any]
    organizations: dict[str, Organization]

    def pk(self, obj: str) -> int:
        return self.organizations[obj].pk if obj in self.organizations else MISSING_PK


@pytest.fixture
def world(aiko: User, ben: User, maria: User, root: User) -> World:
    nora = make_curator("nora@pref.example")
    organizations = {
        obj: make_organization(
            code,
            name_en=f"Draft Works {obj}",
            status=Organization.Status.DRAFT,
            external_id=f"matrix-{obj}",
        )
        for obj, code in [("A", "43"), ("B", "01")]
    }
    users: dict[str, User | None] = {
        "anonymous": None,
        "maria": maria,
        "nora": nora,
        "aiko": aiko,
        "ben": ben,
        "root": root,
    }
    return World(users=users, organizations=organizations)


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def organization_data(organization: Organization | None, code: str, name: str) -> dict[str, Any]:
    return {
        "kind": "company",
        "name_en": name,
        "name_ja": "",
        "prefecture": code,
        "version": organization.version if organization else "",
        "external_id": organization.external_id if organization else "",
    }


# Each action returns (HTTP status, whether the action took effect).
Action = Callable[[Client, World, str], tuple[int, bool]]


def view_draft(client: Client, world: World, obj: str) -> tuple[int, bool]:
    response = client.get(reverse("workspace:organization", args=[world.pk(obj)]))
    return response.status_code, b"Draft Works" in response.content


def create(client: Client, world: World, obj: str) -> tuple[int, bool]:
    before = Organization.objects.count()
    data = organization_data(None, CODES[obj], "Brand New Works")
    response = client.post(reverse("workspace:organization_create"), data)
    return response.status_code, Organization.objects.count() == before + 1


def edit(client: Client, world: World, obj: str) -> tuple[int, bool]:
    organization = world.organizations.get(obj)
    data = organization_data(organization, CODES[obj], "Renamed Works")
    response = client.post(reverse("workspace:organization_update", args=[world.pk(obj)]), data)
    return response.status_code, Organization.objects.filter(name_en="Renamed Works").exists()


def transition(action: str, target: str) -> Action:
    def perform(client: Client, world: World, obj: str) -> tuple[int, bool]:
        organization = world.organizations.get(obj)
        response = client.post(
            reverse("workspace:organization_transition", args=[world.pk(obj), action]),
            {"version": organization.version if organization else 1},
        )
        changed = Organization.objects.filter(pk=world.pk(obj), status=target).exists()
        return response.status_code, changed

    return perform


def edit_prefecture_page(client: Client, world: World, obj: str) -> tuple[int, bool]:
    url = reverse("workspace:prefecture_guide_update", args=[CODES[obj]])
    response = client.post(url, {"incentives_en": "Matrix subsidy"})
    return response.status_code, PrefectureGuide.objects.filter(
        incentives_en="Matrix subsidy"
    ).exists()


def import_row(client: Client, world: World, obj: str) -> tuple[int, bool]:
    content = (
        f"external_id,kind,name_en,prefecture\nnew-{obj},company,Imported Works,{CODES[obj]}\n"
    )
    upload = SimpleUploadedFile("one.csv", content.encode(), content_type="text/csv")
    response = client.post(reverse("workspace:import_upload"), {"file": upload})
    if response.status_code == 302 and "/import/jobs/" in response["Location"]:
        job = ImportJob.objects.latest("pk")
        response = client.post(reverse("workspace:import_commit", args=[job.pk]))
        response = client.get(response["Location"])
    return response.status_code, Organization.objects.filter(name_en="Imported Works").exists()


def export(client: Client, world: World, obj: str) -> tuple[int, bool]:
    response = client.get(reverse("workspace:export"), {"prefecture": CODES[obj]})
    return response.status_code, f"matrix-{obj}".encode() in response.content


def export_directory_results(client: Client, world: World, obj: str) -> tuple[int, bool]:
    # The directory lists published organizations only; the matrix's own rows are drafts.
    for listed in ("A", "B"):
        make_organization(CODES[listed], name_en="Listed Works", external_id=f"listed-{listed}")
    query = {"format": "csv", "q": "listed", "prefecture": CODES[obj]}
    response = client.get(reverse("workspace:directory_export"), query)
    return response.status_code, f"listed-{obj}".encode() in response.content


def write_english(client: Client, world: World, obj: str) -> tuple[int, bool]:
    organization = world.organizations.get(obj)
    data = {"version": organization.version if organization else 1, "name_en": "English Works"}
    response = client.post(reverse("workspace:english_update", args=[world.pk(obj)]), data)
    return response.status_code, Organization.objects.filter(name_en="English Works").exists()


ACTIONS: dict[str, tuple[str, Action]] = {
    "view draft": ("workspace:organization", view_draft),
    "create": ("workspace:organization_create", create),
    "edit": ("workspace:organization_update", edit),
    "submit": ("workspace:organization_transition", transition("submit", "in_review")),
    "publish": ("workspace:organization_transition", transition("publish", "published")),
    "archive": ("workspace:organization_transition", transition("archive", "archived")),
    "edit prefecture page": ("workspace:prefecture_guide_update", edit_prefecture_page),
    "import a row": ("workspace:import_upload", import_row),
    "export": ("workspace:export", export),
    "export directory results": ("workspace:directory_export", export_directory_results),
    "write English texts": ("workspace:english_update", write_english),
}
# Another prefecture's rows are hidden (404); a public thing it may not change is 403.
OTHER_PREFECTURE = {
    "view draft": NOT_FOUND,
    "create": FORBIDDEN,
    "edit": NOT_FOUND,
    "submit": NOT_FOUND,
    "publish": NOT_FOUND,
    "archive": NOT_FOUND,
    "edit prefecture page": FORBIDDEN,
    "import a row": INVALID,
    "export": FORBIDDEN,
    # The directory and its filters are public: the export is their results within scope.
    "export directory results": EMPTY,
    "write English texts": NOT_FOUND,
}
MISSING = {
    "view draft": NOT_FOUND,
    "create": INVALID,
    "edit": NOT_FOUND,
    "submit": NOT_FOUND,
    "publish": NOT_FOUND,
    "archive": NOT_FOUND,
    "edit prefecture page": NOT_FOUND,
    "import a row": INVALID,
    "export": NOT_FOUND,
    "export directory results": EMPTY,  # an unknown prefecture filter is dropped
    "write English texts": NOT_FOUND,
}


def expected(role: str, action: str, obj: str) -> Any:
    if role == "anonymous":
        return LOGIN
    if role not in SCOPE:  # a firm member, or a curator of no prefecture
        return FORBIDDEN
    if obj == "missing":
        return MISSING[action]
    return OK if obj in SCOPE[role] else OTHER_PREFECTURE[action]


@pytest.mark.parametrize("obj", ["A", "B", "missing"])
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(world: World, role: str, action: str, obj: str) -> None:
    client = client_for(world, role)
    status, took_effect = ACTIONS[action][1](client, world, obj)
    outcome = expected(role, action, obj)
    if outcome == OK:
        assert status in (200, 302) and took_effect, (status, took_effect)
        return
    assert not took_effect, f"{role} could {action} on {obj}"
    if outcome == LOGIN:
        assert status == 302
    elif outcome == INVALID:
        assert status in (200, 400)
    elif outcome == EMPTY:
        assert status == 200
    else:
        assert status == outcome


# Pages that only show things: who may open them (own / other / missing object).
PAGES: dict[str, Callable[[World, str], str]] = {
    "workspace:dashboard": lambda world, obj: reverse("workspace:dashboard"),
    "workspace:organizations": lambda world, obj: reverse("workspace:organizations"),
    "workspace:organization_new": lambda world, obj: reverse("workspace:organization_new"),
    "workspace:organization_edit": lambda world, obj: reverse(
        "workspace:organization_edit", args=[world.pk(obj)]
    ),
    "workspace:prefecture_guide": lambda world, obj: reverse(
        "workspace:prefecture_guide", args=[CODES[obj]]
    ),
    "workspace:english_edit": lambda world, obj: reverse(
        "workspace:english_edit", args=[world.pk(obj)]
    ),
    # The organization form's municipality options for a prefecture (htmx).
    "workspace:municipalities": lambda world, obj: (
        reverse("workspace:municipalities") + f"?prefecture={CODES[obj]}"
    ),
    "workspace:import": lambda world, obj: reverse("workspace:import"),
    "workspace:import_template": lambda world, obj: reverse(
        "workspace:import_template", args=["csv"]
    ),
    "workspace:import_job": lambda world, obj: reverse(
        "workspace:import_job",
        args=[world.import_job_pk],  # type: ignore[attr-defined]
    ),
}
PAGE_OTHER = {
    "workspace:organization_edit": NOT_FOUND,
    "workspace:english_edit": NOT_FOUND,
    "workspace:prefecture_guide": FORBIDDEN,
    "workspace:municipalities": FORBIDDEN,  # a prefecture is public: refused, not hidden
    "workspace:import_job": NOT_FOUND,  # another person's upload
}
PAGE_MISSING = {
    "workspace:organization_edit": NOT_FOUND,
    "workspace:english_edit": NOT_FOUND,
    "workspace:prefecture_guide": NOT_FOUND,
    "workspace:municipalities": NOT_FOUND,
}
# What a page that answers shows: the municipalities of A (Kumamoto) or B (Hokkaido).
PAGE_SHOWS = {"workspace:municipalities": {"A": "Kumamoto-shi", "B": "Sapporo-shi"}}


@pytest.mark.parametrize("obj", ["A", "B", "missing"])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_the_page_matrix(world: World, role: str, page: str, obj: str) -> None:
    # Aiko's upload is A's job; Ben's is B's; there is no "missing" job owner.
    owner = {"A": world.users["aiko"], "B": world.users["ben"]}.get(obj)
    job = ImportJob.objects.create(
        user=owner or world.users["root"], file_name="x.csv", content=b"", mode="dry_run"
    )
    world.import_job_pk = job.pk if owner else MISSING_PK  # type: ignore[attr-defined]
    response = client_for(world, role).get(PAGES[page](world, obj))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    if role not in SCOPE:
        assert response.status_code == 403
        return
    if page == "workspace:import_job":
        mine = owner is not None and owner == world.users[role]
        assert response.status_code == (200 if mine else 404)
        return
    if obj == "missing" and page in PAGE_MISSING:
        assert response.status_code == PAGE_MISSING[page]
    elif obj != "missing" and obj not in SCOPE[role] and page in PAGE_OTHER:
        assert response.status_code == PAGE_OTHER[page]
    else:
        assert response.status_code == 200
    shown = {key for key, text in PAGE_SHOWS.get(page, {}).items() if text in response.text}
    assert shown == ({obj} if response.status_code == 200 and page in PAGE_SHOWS else set())


@pytest.mark.parametrize("obj", ["A", "B", "missing"])
@pytest.mark.parametrize("role", ROLES)
def test_the_live_validation_matrix(world: World, role: str, obj: str) -> None:
    url = reverse("workspace:organization_validate", args=[world.pk(obj)])
    response = client_for(world, role).post(url, {"name_en": "x"}, HTTP_HX_REQUEST="true")
    new = client_for(world, role).post(
        reverse("workspace:organization_validate_new"), {"name_en": "x"}
    )
    if role == "anonymous":
        assert response.status_code == new.status_code == 302
    elif role not in SCOPE:
        assert response.status_code == new.status_code == 403
    else:
        allowed = obj in SCOPE[role]
        assert response.status_code == (200 if allowed else 404)
        assert new.status_code == 200
    assert not Organization.objects.filter(name_en="x").exists()


ADMIN_OUTCOME = {"anonymous": "login", "maria": "login", "nora": "hidden"}


@pytest.mark.parametrize("obj", ["A", "B", "missing"])
@pytest.mark.parametrize("role", ROLES)
def test_the_admin_matrix(world: World, role: str, obj: str) -> None:
    client = client_for(world, role)
    url = reverse("admin:profiles_organization_change", args=[world.pk(obj)])
    organization = world.organizations.get(obj)
    data = {
        "kind": "company",
        "name_en": "Admin Renamed",
        "name_ja": "",
        "prefecture": organization.prefecture_id if organization else "",
        "status": "draft",
        "external_id": organization.external_id if organization else "",
        "_save": "Save",
    }
    seen, posted = client.get(url), client.post(url, data)
    changed = Organization.objects.filter(name_en="Admin Renamed").exists()
    outcome = ADMIN_OUTCOME.get(role)
    if outcome is None:
        outcome = "ok" if obj in SCOPE[role] else "hidden"
    if outcome == "ok":
        assert seen.status_code == 200
        assert posted.status_code == 302 and changed, posted.content[:3000]
        return
    assert not changed
    if outcome == "login":
        assert "/admin/login/" in seen["Location"] and "/admin/login/" in posted["Location"]
    else:  # the admin answers "does not exist" and sends the user to its index
        assert seen.status_code == posted.status_code == 302
        assert seen["Location"] == reverse("admin:index")


# Everything else in the URL configuration, and why the matrix does not need it.
NOT_CURATION = {
    "home": "public page",
    "healthz": "public health check",
    "login": "public log-in form",
    "set_language": "sets the user's own language",
    "directory:search": "published organizations only (tests/matchmaking/directory/test_views.py)",
    "directory:organization": "visible_to(user): test_drafts_of_another_prefecture_are_hidden",
    "directory:sources": "public credits page",
    "directory:prefectures": "public map of prefectures, read only",
    "directory:prefecture": "public prefecture page, read only (edited via workspace)",
    "workspace:organization_validate_new": "test_the_live_validation_matrix",
    "workspace:organization_validate": "test_the_live_validation_matrix",
    "workspace:import_commit": "part of 'import a row'",
    "workspace:import_retry": "the uploader's own job only (importing/test_jobs.py)",
    "workspace:import_cancel": "the uploader's own job only (test_an_import_is_cancelled_...)",
    "api-suggestions": "published organizations only (tests/matchmaking/test_api.py)",
    "api-openapi": "public API description",
    "workspace:kpi_export": "tests/matchmaking/access/test_pages.py: the key figures export",
}


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace != "admin":  # the admin has its own matrix above
                names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_pattern_is_in_the_matrix() -> None:
    covered = {url_name for url_name, _action in ACTIONS.values()} | set(PAGES) | set(NOT_CURATION)
    covered |= FIRM_SIDE  # firm pages, introductions, queue, demand, accounts: their own matrix
    missing = _names(get_resolver()) - covered
    assert not missing, f"Add these views to the access matrix: {sorted(missing)}"


def _workspace_urls(world: World) -> dict[str, str]:
    pk = world.pk("A")
    job = ImportJob.objects.create(
        user=world.users["root"], file_name="x.csv", content=b"", mode="dry_run"
    )
    routes: list[tuple[str, dict[str, Any]]] = [
        ("dashboard", {}),
        ("organizations", {}),
        ("organization_new", {}),
        ("organization_create", {}),
        ("organization_validate_new", {}),
        ("organization", {"pk": pk}),
        ("organization_edit", {"pk": pk}),
        ("organization_update", {"pk": pk}),
        ("organization_validate", {"pk": pk}),
        ("organization_transition", {"pk": pk, "action": "publish"}),
        ("prefecture_guide", {"code": "43"}),
        ("prefecture_guide_update", {"code": "43"}),
        ("municipalities", {}),
        ("import", {}),
        ("import_upload", {}),
        ("import_job", {"pk": job.pk}),
        ("import_commit", {"pk": job.pk}),
        ("import_retry", {"pk": job.pk}),
        ("import_cancel", {"pk": job.pk}),
        ("import_template", {"file_format": "csv"}),
        ("export", {}),
        ("directory_export", {}),
        ("english_edit", {"pk": pk}),
        ("english_update", {"pk": pk}),
        ("kpi_export", {"file_format": "csv"}),
    ]
    return {name: reverse(f"workspace:{name}", kwargs=kwargs) for name, kwargs in routes}


READ_ONLY = {
    "dashboard",
    "organizations",
    "organization_new",
    "organization",
    "organization_edit",
    "prefecture_guide",
    "municipalities",
    "import",
    "import_job",
    "import_template",
    "export",
    "directory_export",
    "english_edit",
    "kpi_export",
}


def test_every_state_changing_view_refuses_get(world: World) -> None:
    client = client_for(world, "root")
    urls = _workspace_urls(world)
    assert set(urls) == {
        name.split(":")[1]
        for name in _names(get_resolver())
        if name.startswith("workspace:") and name not in FIRM_SIDE
    }
    before = list(Organization.objects.values_list("pk", "version", "status", "name_en"))
    for name, url in urls.items():
        status = client.get(url).status_code
        assert status == (200 if name in READ_ONLY else 405), name
    assert list(Organization.objects.values_list("pk", "version", "status", "name_en")) == before


def test_revoking_a_prefecture_takes_effect_on_the_next_request(world: World) -> None:
    client = client_for(world, "aiko")
    url = reverse("workspace:organization", args=[world.pk("A")])
    assert client.get(url).status_code == 200
    Curatorship.objects.filter(user=world.users["aiko"]).delete()
    assert client.get(url).status_code == 403
    assert client.get(reverse("workspace:dashboard")).status_code == 403


def test_moving_an_organization_to_another_prefecture_is_refused(world: World) -> None:
    organization = world.organizations["A"]
    data = organization_data(organization, "01", organization.name_en)
    response = client_for(world, "aiko").post(
        reverse("workspace:organization_update", args=[organization.pk]), data
    )
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.prefecture.code == "43" and organization.version == 1


def test_a_curator_of_both_prefectures_still_cannot_move_an_organization(world: World) -> None:
    aiko = world.users["aiko"]
    Curatorship.objects.create(user=aiko, prefecture=world.organizations["B"].prefecture)
    organization = world.organizations["A"]
    data = organization_data(organization, "01", organization.name_en)
    response = client_for(world, "aiko").post(
        reverse("workspace:organization_update", args=[organization.pk]), data
    )
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.prefecture.code == "43"


def test_drafts_of_another_prefecture_are_hidden_on_the_public_page(world: World) -> None:
    url = reverse("directory:organization", args=[world.pk("B")])
    assert client_for(world, "aiko").get(url).status_code == 404
    assert client_for(world, "ben").get(url).status_code == 200
