"""The test world: the real reference data, loaded once per run, and named actors.

Aiko curates Kumamoto; Ben curates Hokkaido; Maria works for Acme Robotics, a US firm;
Root is an admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from matchmaking.directory import glance, listing
from matchmaking.firms.models import FirmMember, ForeignFirm
from matchmaking.search import selectors
from matchmaking.search.store import index_cache
from profiles import keywords, loaders
from profiles.models import Curatorship, Organization, Prefecture
from profiles.roles import CURATORS, FIRM_MEMBERS

PASSWORD = "correct horse battery staple"

# A test whose fixtures reach none of these cannot touch the test database: pytest-django
# refuses it any connection. Such a test means the same on SQLite and PostgreSQL, so CI runs
# it once (`-m "not no_database"` in the PostgreSQL pass, see .ci/run).
DATABASE_FIXTURES = {"django_db_setup", "db", "transactional_db"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("django_db"):
            continue  # the browser's site runs on the configured database, in its own process
        if DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Hash test passwords cheaply: production's PBKDF2 cost would dominate the suite."""
    override = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def _index_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Index versions are unpacked for this run only, never into the checkout's var/."""
    override = override_settings(RANKER_INDEX_DIR=str(tmp_path_factory.mktemp("index")))
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English; an earlier request may have left Japanese active."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        loaders.load_geography()
        loaders.load_industries()
        loaders.load_vocabularies()
        loaders.load_glossary()


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Forget login failures and rate limits between tests (the cache lives in the database),
    and the per-process copies of reference data: read fresh by each test, they cannot
    expire halfway through one (they live a minute), which made query counts flaky."""
    listing._options = None
    selectors._facet_rows = None
    glance._glossary = None
    keywords._glossary = None
    yield
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        cache.clear()
        index_cache.forget()  # a rolled-back test may have stored an index


def make_curator(username: str, *codes: str) -> User:
    user = User.objects.create_user(
        username=username, email=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=CURATORS))
    for code in codes:
        Curatorship.objects.create(user=user, prefecture=Prefecture.objects.get(code=code))
    return user


def make_organization(prefecture_code: str, **fields: Any) -> Organization:
    values: dict[str, Any] = {
        "kind": Organization.Kind.COMPANY,
        "name_en": "Test Works",
        "status": Organization.Status.PUBLISHED,
    }
    values.update(fields)
    return Organization.objects.create(
        prefecture=Prefecture.objects.get(code=prefecture_code), **values
    )


@pytest.fixture
def aiko(db: None) -> User:
    return make_curator("aiko@pref-kumamoto.example", "43")


@pytest.fixture
def ben(db: None) -> User:
    return make_curator("ben@pref-hokkaido.example", "01")


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser("root@ryumon.example", "root@ryumon.example", PASSWORD)


@pytest.fixture
def maria(db: None) -> User:
    firm = ForeignFirm.objects.create(
        name="Acme Robotics Inc.", slug="acme-robotics", country="US"
    )
    user = User.objects.create_user(
        username="maria@acme-robotics.example",
        email="maria@acme-robotics.example",
        password=PASSWORD,
    )
    user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
    FirmMember.objects.create(user=user, firm=firm, role=FirmMember.Role.OWNER)
    return user
