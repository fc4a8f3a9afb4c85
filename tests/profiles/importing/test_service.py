"""Preview, commit, re-import, the command line and background jobs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from profiles import exporting, services
from profiles.importing import organizations_import, service
from profiles.importing.jobs import import_job_run
from profiles.models import ImportJob, Organization, OrganizationChange
from profiles.signals import organizations_changed
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"
SAMPLE = DATA / "kumamoto_edinet.csv"


def state() -> list[tuple[Any, ...]]:
    return list(
        Organization.objects.order_by("pk").values_list(
            "pk", "version", "name_en", "status", "municipality_id", "keywords"
        )
    )


def test_a_dry_run_reports_and_writes_nothing(aiko: User) -> None:
    report = organizations_import(
        content=SAMPLE.read_bytes(), file_name="k.csv", user=aiko, commit=False
    )
    assert report.summary() == "created=11 updated=0 unchanged=0 errors=0"
    assert report.creates[0]["external_id"] == "edinet:E00198"
    assert Organization.objects.count() == 0


def test_a_commit_writes_every_row_with_history_and_announces_it(
    aiko: User, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[frozenset[int]] = []

    def listener(organization_ids: frozenset[int], **kwargs: Any) -> None:
        heard.append(organization_ids)

    organizations_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = organizations_import(
                content=SAMPLE.read_bytes(), file_name="k.csv", user=aiko, commit=True
            )
    finally:
        organizations_changed.disconnect(listener)
    assert report.committed and report.created == 11
    hirata = Organization.objects.get(external_id="edinet:E01733")
    assert hirata.name_ja == "平田機工株式会社"
    assert hirata.municipality is not None and hirata.municipality.name_ja == "熊本市北区"
    assert sorted(hirata.industries.values_list("code", flat=True)) == ["25", "26"]
    assert hirata.keyword_list() == ["Machinery", "機械"]
    assert hirata.source == Organization.Source.IMPORT and hirata.status == "draft"
    change = hirata.changes.get()
    assert change.created and change.user == aiko and change.via == "import"
    assert change.fields["name_ja"] == ["", "平田機工株式会社"]
    assert set().union(*heard) == set(Organization.objects.values_list("pk", flat=True))


def test_importing_the_same_file_twice_changes_nothing_the_second_time(aiko: User) -> None:
    organizations_import(content=SAMPLE.read_bytes(), file_name="k.csv", user=aiko, commit=True)
    before, history = state(), OrganizationChange.objects.count()
    report = organizations_import(
        content=SAMPLE.read_bytes(), file_name="k.csv", user=aiko, commit=True
    )
    assert report.summary() == "created=0 updated=0 unchanged=11 errors=0"
    assert state() == before and OrganizationChange.objects.count() == history


def test_an_update_changes_only_the_columns_in_the_file(aiko: User) -> None:
    organization = make_organization(
        "43", external_id="k-1", description_en="Kept", status="published"
    )
    organization.partnership_types.set([1])
    content = b"external_id,kind,name_en,prefecture,status\nk-1,company,Renamed,43,\n"
    report = organizations_import(content=content, file_name="k.csv", user=aiko, commit=True)
    assert report.summary() == "created=0 updated=1 unchanged=0 errors=0"
    organization.refresh_from_db()
    assert organization.name_en == "Renamed" and organization.description_en == "Kept"
    assert organization.status == "published" and organization.version == 2
    assert list(organization.partnership_types.values_list("pk", flat=True)) == [1]
    assert organization.changes.get().fields == {"name_en": ["Test Works", "Renamed"]}


def test_publishing_by_import_records_who_verified(aiko: User) -> None:
    make_organization("43", external_id="k-1", status="draft")
    content = b"external_id,kind,name_en,prefecture,status\nk-1,company,Test Works,43,published\n"
    organizations_import(content=content, file_name="k.csv", user=aiko, commit=True)
    organization = Organization.objects.get(external_id="k-1")
    assert organization.status == "published" and organization.verified_by == aiko
    assert organization.verified_at is not None


def test_a_failure_in_the_middle_of_the_commit_leaves_the_database_as_it_was(
    aiko: User, monkeypatch: Any
) -> None:
    make_organization("43", external_id="edinet:E00198", name_en="Old name", status="draft")
    before, history = state(), OrganizationChange.objects.count()

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # After the organizations were inserted and updated, before their industries.
    monkeypatch.setattr(service, "_write_related", explode)
    with pytest.raises(RuntimeError):
        organizations_import(
            content=SAMPLE.read_bytes(), file_name="k.csv", user=aiko, commit=True
        )
    assert state() == before and OrganizationChange.objects.count() == history


def test_a_row_changed_during_the_import_aborts_the_commit(aiko: User, monkeypatch: Any) -> None:
    organization = make_organization("43", external_id="k-1", status="draft")
    validate = service._validate

    def validate_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        row = validate(*args, **kwargs)
        Organization.objects.filter(pk=organization.pk).update(version=5)
        return row

    monkeypatch.setattr(service, "_validate", validate_then_someone_saves)
    content = b"external_id,kind,name_en,prefecture\nk-1,company,Renamed,43\n"
    report = organizations_import(content=content, file_name="k.csv", user=aiko, commit=True)
    assert not report.committed and "changed by someone else" in report.errors[0]["message"]
    assert Organization.objects.get(pk=organization.pk).name_en == "Test Works"


def test_the_command_prints_errors_then_the_summary_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_organizations", str(DATA / "kumamoto_edinet_with_errors.csv"))
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "row 3, municipality: “熊本市東西区” is not a known code or name." in err
    assert out.strip().splitlines()[-1] == "created=8 updated=0 unchanged=0 errors=4"
    assert Organization.objects.count() == 0


def test_the_command_acts_as_an_admin_without_user_and_honours_dry_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("import_organizations", str(SAMPLE), "--dry-run")
    assert capsys.readouterr().out.strip() == "created=11 updated=0 unchanged=0 errors=0"
    assert Organization.objects.count() == 0
    call_command("import_organizations", str(SAMPLE))
    assert Organization.objects.count() == 11


def test_the_command_with_a_user_imports_only_their_prefectures(
    ben: User, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        call_command("import_organizations", str(SAMPLE), "--user", ben.username)
    assert "You do not curate Kumamoto" in capsys.readouterr().err
    assert Organization.objects.count() == 0


def test_progress_is_reported_while_rows_are_checked(aiko: User) -> None:
    rows = "\n".join(f"k-{n},company,Works {n},43" for n in range(600))
    content = f"external_id,kind,name_en,prefecture\n{rows}\n".encode()
    calls: list[tuple[int, int]] = []
    organizations_import(
        content=content,
        file_name="k.csv",
        user=aiko,
        commit=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(250, 600), (500, 600), (600, 600)]


def test_a_queued_job_runs_in_the_background_and_stores_its_report(aiko: User) -> None:
    job = ImportJob.objects.create(
        user=aiko, file_name="k.csv", content=SAMPLE.read_bytes(), mode="commit"
    )
    assert job.state == "queued"
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.report["created"] == 11 and job.rows_done == 11
    assert bytes(job.content) == b""  # a committed file is not kept
    assert Organization.objects.count() == 11


def upload(client: Client, path: Path) -> Any:
    with path.open("rb") as handle:
        return client.post(reverse("workspace:import_upload"), {"file": handle})


def test_the_web_import_previews_then_commits_the_same_file(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    response = upload(client, DATA / "kumamoto_edinet_with_errors.csv")
    page = client.get(response["Location"]).content.decode()
    assert "“熊本市東西区” is not a known code or name." in page
    assert "Commit the import" not in page
    response = upload(client, SAMPLE)
    preview = ImportJob.objects.latest("pk")
    assert "Commit the import" in client.get(response["Location"]).content.decode()
    assert Organization.objects.count() == 0
    response = client.post(reverse("workspace:import_commit", args=[preview.pk]))
    page = client.get(response["Location"]).content.decode()
    assert "The import was committed." in page
    assert Organization.objects.count() == 11


def test_a_preview_with_errors_cannot_be_committed(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    upload(client, DATA / "kumamoto_edinet_with_errors.csv")
    job = ImportJob.objects.latest("pk")
    client.post(reverse("workspace:import_commit", args=[job.pk]))
    assert ImportJob.objects.count() == 1 and Organization.objects.count() == 0


def test_the_upload_form_refuses_a_file_over_the_limit(
    client: Client, aiko: User, settings: Any
) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(aiko)
    big = SimpleUploadedFile("big.csv", b"x" * 2048)
    response = client.post(reverse("workspace:import_upload"), {"file": big})
    assert response.status_code == 400 and b"the limit is" in response.content
    assert not ImportJob.objects.exists()


def test_a_running_job_page_polls_for_progress(client: Client, aiko: User) -> None:
    job = ImportJob.objects.create(
        user=aiko, file_name="k.csv", content=b"", mode="dry_run", state="running"
    )
    ImportJob.objects.filter(pk=job.pk).update(rows_done=250, rows_total=1000)
    client.force_login(aiko)
    url = reverse("workspace:import_job", args=[job.pk])
    page = client.get(url)
    assert b"<html" in page.content and b'hx-trigger="every 1s"' in page.content
    assert b"250 of 1000 rows checked" in page.content
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="import-job"' in partial.content
    assert "HX-Request" in partial["Vary"]
    ImportJob.objects.filter(pk=job.pk).update(state="done", report={"created": 0})
    assert b"every 1s" not in client.get(url, HTTP_HX_REQUEST="true").content


def _export_with(organization: Organization, **cells: str) -> bytes:
    """The organization exported, then edited in the file as a curator would."""
    header, row = list(exporting.rows([organization]))
    row = [cells.get(name, value) for name, value in zip(header, row, strict=True)]
    return _csv([header, row])


def _csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode()


def test_reimporting_an_export_older_than_a_web_edit_is_a_conflict_and_writes_nothing(
    aiko: User,
) -> None:
    organization = make_organization("43", external_id="k-1", name_en="Higo", offers_en="Gears.")
    content = _export_with(organization, name_en="Higo Co.")
    services.organization_update(
        organization=organization, data={"offers_en": "Shafts."}, version=1, user=aiko
    )
    report = organizations_import(content=content, file_name="k.csv", user=aiko, commit=True)
    assert not report.committed
    (error,) = report.errors
    assert error["column"] == "version"
    assert "version 1, now 2; changed: offers_en" in error["message"]
    organization.refresh_from_db()
    assert (organization.name_en, organization.offers_en, organization.version) == (
        "Higo",
        "Shafts.",
        2,
    )


def test_a_current_export_imports_and_an_emptied_version_cell_overwrites(aiko: User) -> None:
    organization = make_organization("43", external_id="k-1", name_en="Higo", offers_en="Gears.")
    current = _export_with(organization, name_en="Higo Co.")
    report = organizations_import(content=current, file_name="k.csv", user=aiko, commit=True)
    assert report.committed and report.updated == 1
    organization.refresh_from_db()
    assert organization.name_en == "Higo Co." and organization.version == 2
    stale = _export_with(organization, name_en="Higo Ltd.", version="1")
    assert not organizations_import(
        content=stale, file_name="k.csv", user=aiko, commit=True
    ).committed
    forced = _export_with(organization, name_en="Higo Ltd.", version="")
    assert organizations_import(
        content=forced, file_name="k.csv", user=aiko, commit=True
    ).committed
    organization.refresh_from_db()
    assert organization.name_en == "Higo Ltd."
