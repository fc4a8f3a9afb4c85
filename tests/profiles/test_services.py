"""Curation writes under real concurrency (PostgreSQL): parallel transactions, each in its
own thread and connection, so the row locks and unique indexes are what is tested.

The threads commit, so the test arranges its rows through committed writes too and deletes
them afterwards; the test's own transaction still reads them (READ COMMITTED). SQLite's
in-memory test database is private to one connection, so these run on PostgreSQL only
(CI runs the whole suite on both).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import override_settings

from profiles import services
from profiles.models import Organization, Prefecture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs one database for several connections"
    ),
]


def _in_parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once, each in its own thread and connection (autocommit)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _committed(call: Callable[[], Any]) -> Any:
    (result,) = _in_parallel(call)
    if isinstance(result, Exception):
        raise result
    return result


@pytest.fixture
def curator() -> Iterator[User]:
    name = f"aiko-{uuid.uuid4().hex[:8]}"
    # No index updates from the threads' commits: they would outlive the test.
    with override_settings(RANKER_AUTO_REBUILD=False):
        user = _committed(lambda: User.objects.create_user(f"{name}@example.com"))
        yield user
        _committed(lambda: Organization.objects.filter(name_en=name).delete())
        _committed(lambda: User.objects.filter(pk=user.pk).delete())


def _data(curator: User, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "company",
        "name_en": curator.username.split("@")[0],
        "prefecture": Prefecture.objects.get(code="43"),
    } | fields


def test_parallel_submissions_of_one_form_create_one_organization(curator: User) -> None:
    key = uuid.uuid4()
    data = _data(curator)
    results = _in_parallel(
        *[
            lambda: services.organization_create(data=data, user=curator, creation_key=key)
            for _ in range(4)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    created = Organization.objects.filter(name_en=data["name_en"])
    assert created.count() == 1
    assert {r.pk for r in results} == {created.get().pk}
    assert created.get().changes.count() == 1


def test_parallel_creates_with_one_external_id_create_one_and_refuse_the_rest(
    curator: User,
) -> None:
    data = _data(curator, external_id=f"{curator.pk}-1")
    results = _in_parallel(
        *[
            lambda: services.organization_create(
                data=data, user=curator, creation_key=uuid.uuid4()
            )
            for _ in range(3)
        ]
    )
    assert Organization.objects.filter(external_id=data["external_id"]).count() == 1
    refused = [r for r in results if isinstance(r, services.DuplicateOrganization)]
    assert len(refused) == 2, results


def test_parallel_edits_of_one_version_save_one_and_report_the_other_stale(
    curator: User,
) -> None:
    data = _data(curator)
    organization = _committed(lambda: services.organization_create(data=data, user=curator))
    results = _in_parallel(
        *[
            lambda text=text: services.organization_update(
                organization=organization,
                data={"offers_en": text},
                version=organization.version,
                user=curator,
            )
            for text in ("Gears.", "Shafts.")
        ]
    )
    assert sum(isinstance(r, services.StaleVersion) for r in results) == 1, results
    organization.refresh_from_db()
    assert organization.version == 2
    versions = organization.changes.order_by("version").values_list("version", flat=True)
    assert list(versions) == [1, 2]
