"""Bad files get a clear message, and nothing is written (Aiko curates Kumamoto)."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from openpyxl import Workbook

from profiles.importing import organizations_import
from profiles.importing.jobs import import_job_start
from profiles.importing.reading import OLE_MAGIC
from profiles.models import ImportJob, Organization

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"
HEADER = "external_id,kind,name_en,name_ja,prefecture,municipality,industries,partnership_types"


def run(content: bytes, user: User | None, name: str = "file.csv", commit: bool = True) -> Any:
    report = organizations_import(content=content, file_name=name, user=user, commit=commit)
    return report


def messages(report: Any) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in report.errors]


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows, ""]).encode(encoding)


def assert_refused(report: Any, fragment: str) -> None:
    assert report.error_count >= 1 and not report.committed
    assert any(fragment in message for _row, _column, message in messages(report)), messages(
        report
    )
    assert Organization.objects.count() == 0


def good_row(key: str = "k-1", **cells: str) -> str:
    values = {
        "external_id": key,
        "kind": "company",
        "name_en": "Aso Precision",
        "name_ja": "阿蘇精密",
        "prefecture": "43",
        "municipality": "",
        "industries": "",
        "partnership_types": "",
    } | cells
    return ",".join(values[column] for column in HEADER.split(","))


def test_it_reads_the_edinet_sample_saved_as_shift_jis(aiko: User) -> None:
    report = run((DATA / "kumamoto_edinet.csv").read_bytes(), aiko, commit=False)
    assert report.encoding == "Shift_JIS (CP932)"
    assert (report.created, report.error_count) == (11, 0)


def test_it_reads_utf8_with_and_without_a_bom(aiko: User) -> None:
    plain = csv_bytes(good_row(name_ja="熊本精密"))
    assert run(plain, aiko, commit=False).encoding == "UTF-8"
    report = run(codecs.BOM_UTF8 + plain, aiko, commit=False)
    assert report.encoding == "UTF-8 (BOM)" and report.created == 1


def test_it_refuses_undecodable_bytes_naming_the_line(aiko: User) -> None:
    content = csv_bytes(good_row()) + b"k-2,company,\xff\xfe\xfd,,43,,,\n"
    assert_refused(run(content, aiko), "line 3")


def test_it_refuses_a_utf8_header_over_a_cp932_body(aiko: User) -> None:
    content = codecs.BOM_UTF8 + (HEADER + "\n").encode() + good_row().encode("cp932")
    content += "\nk-2,company,,熊本の会社,43,,,\n".encode("cp932")
    assert_refused(run(content, aiko), "The header is UTF-8 but line 2")


def test_it_refuses_a_file_without_the_required_columns(aiko: User) -> None:
    report = run(csv_bytes("Aso,43", header="name_en,prefecture"), aiko)
    assert_refused(report, "external_id, kind")


def test_it_warns_about_unknown_columns_and_ignores_them(aiko: User) -> None:
    report = run(csv_bytes(good_row() + ",x", header=HEADER + ",memo"), aiko)
    assert report.committed and report.created == 1
    assert any("memo" in warning for warning in report.warnings)


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"prefecture": "Atlantis"}, "prefecture", "Atlantis"),
        ({"municipality": "札幌市"}, "municipality", "札幌市"),  # a Hokkaido city
        ({"industries": "E|ZZ9"}, "industries", "ZZ9"),
        ({"partnership_types": "friendship"}, "partnership_types", "friendship"),
        ({"kind": ""}, "kind", "required"),
        ({"external_id": ""}, "external_id", "required"),
        ({"name_en": "", "name_ja": ""}, "name_en", "Give a name"),
        ({"name_en": "x" * 256}, "name_en", "at most 255"),
        ({"name_ja": "阿蘇\x00精密"}, "name_ja", "Null characters"),
    ],
)
def test_it_reports_a_bad_cell_with_row_and_column(
    aiko: User, cells: dict[str, str], column: str, fragment: str
) -> None:
    report = run(csv_bytes(good_row("ok"), good_row("bad", **cells)), aiko)
    assert report.error_count >= 1 and not report.committed
    assert any(
        row == 3 and col == column and fragment in message
        for row, col, message in messages(report)
    ), messages(report)
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("website", "javascript:alert(1)", "valid URL"),
        ("website", "not a url", "valid URL"),
        ("founded", "19x9", "whole number"),
        ("founded", "3000", "less than or equal to 2100"),
        ("employees", "many", "valid choice"),
        ("description_en", "x" * 5001, "at most 5000"),
        ("lying_dragon", "perhaps", "true"),
    ],
)
def test_it_validates_urls_years_numbers_and_lengths(
    aiko: User, column: str, value: str, fragment: str
) -> None:
    header = "external_id,kind,name_en,prefecture," + column
    report = run(csv_bytes(f'k-1,company,Aso,43,"{value}"', header=header), aiko)
    assert any(col == column and fragment in msg for _r, col, msg in messages(report)), messages(
        report
    )
    assert Organization.objects.count() == 0


def test_it_refuses_a_duplicate_external_id_within_the_file(aiko: User) -> None:
    report = run(csv_bytes(good_row("same"), good_row("same")), aiko)
    assert_refused(report, "Row 2 has the same external_id")


def test_it_refuses_rows_of_another_curators_prefecture(aiko: User) -> None:
    report = run(csv_bytes(good_row("ok"), good_row("hk", prefecture="北海道")), aiko)
    assert_refused(report, "You do not curate Hokkaido")
    assert messages(report)[0][:2] == (3, "prefecture")


def test_it_refuses_binary_data_named_csv(aiko: User) -> None:
    assert_refused(run(bytes(range(256)) * 50, aiko), "binary")


def test_it_refuses_a_zip_archive_named_csv(aiko: User) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert_refused(run(buffer.getvalue(), aiko), "zip archive, not an Excel workbook")


def test_it_reads_an_xlsx_that_is_really_csv_as_csv(aiko: User) -> None:
    report = run(csv_bytes(good_row()), aiko, name="organizations.xlsx")
    assert report.format == "CSV" and report.committed
    assert any("really CSV" in warning for warning in report.warnings)


def legacy_xls(*rows: list[str]) -> bytes:
    """A real Excel 97-2003 workbook, written by xlwt, holding a valid import."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("organizations")
    for number, cells in enumerate([HEADER.split(","), good_row().split(","), *rows]):
        for column, value in enumerate(cells):
            sheet.write(number, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PASSWORD = "Passw0rd"


def encrypted_xlsx(password: str = PASSWORD) -> bytes:
    """A real password-protected .xlsx (ECMA-376 agile encryption), holding a valid import."""
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook("organizations"))).encrypt(password, encrypted)
    return encrypted.getvalue()


@pytest.mark.parametrize("name", ["old.xls", "old.xlsx", "old.csv"])
@pytest.mark.parametrize("commit", [False, True])
def test_it_refuses_a_legacy_xls_file(aiko: User, name: str, commit: bool) -> None:
    content = legacy_xls()
    assert content.startswith(OLE_MAGIC)
    assert_refused(run(content, aiko, name=name, commit=commit), "Excel 97-2003")


def test_it_tells_a_legacy_xls_from_an_encrypted_workbook_by_its_streams(aiko: User) -> None:
    # The encrypted workbook's stream names as text in a cell: with the Japanese, xlwt
    # stores the cell in UTF-16, as the directory stores stream names.
    content = legacy_xls(["EncryptionInfo と EncryptedPackage の説明"])
    assert "EncryptionInfo".encode("utf-16-le") in content
    assert_refused(run(content, aiko, name="notes.xls"), "Excel 97-2003")


def test_it_refuses_an_office_file_that_is_not_a_workbook(aiko: User) -> None:
    # The same compound file with its one stream renamed: a valid OLE file, no workbook.
    content = legacy_xls().replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le"))
    assert_refused(run(content, aiko, name="letter.xls"), "not an Excel workbook")


def test_it_refuses_a_damaged_legacy_file(aiko: User) -> None:
    assert_refused(run(legacy_xls()[:1024], aiko, name="cut.xls"), "Excel 97-2003")


@pytest.mark.parametrize("name", ["secret.xlsx", "secret.xls", "secret.csv"])
@pytest.mark.parametrize("commit", [False, True])
def test_it_refuses_an_encrypted_workbook(aiko: User, name: str, commit: bool) -> None:
    content = encrypted_xlsx()
    assert content.startswith(OLE_MAGIC)
    assert_refused(run(content, aiko, name=name, commit=commit), "protected with a password")


def test_the_encrypted_workbook_is_a_valid_import_once_decrypted(aiko: User) -> None:
    """So the refusal above is about the password, not about what the workbook holds."""
    import msoffcrypto

    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted_xlsx(PASSWORD)))
    office_file.load_key(password=PASSWORD)
    decrypted = io.BytesIO()
    office_file.decrypt(decrypted)
    report = run(decrypted.getvalue(), aiko, name="secret.xlsx", commit=False)
    assert report.summary() == "created=1 updated=0 unchanged=0 errors=0"


def test_the_web_import_refuses_both_and_cannot_commit(client: Any, aiko: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from profiles.models import ImportJob

    client.force_login(aiko)
    for name, content, message in [
        ("old.xls", legacy_xls(), "Excel 97-2003"),
        ("secret.xlsx", encrypted_xlsx(), "protected with a password"),
    ]:
        upload = SimpleUploadedFile(name, content)
        response = client.post(reverse("workspace:import_upload"), {"file": upload}, follow=True)
        assert message in response.content.decode()
        job = ImportJob.objects.latest("pk")
        assert not job.can_commit
        client.post(reverse("workspace:import_commit", args=[job.pk]))
        assert ImportJob.objects.latest("pk") == job  # no commit job was started
    assert Organization.objects.count() == 0


def workbook(*sheets: str, merge: str = "") -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheets[0]
    first.append(HEADER.split(","))
    first.append(good_row().split(","))
    if merge:
        first.merge_cells(merge)
    for title in sheets[1:]:
        book.create_sheet(title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_plain_workbook(aiko: User) -> None:
    report = run(workbook("organizations"), aiko, name="list.xlsx")
    assert report.format == "XLSX" and report.committed and report.created == 1


def test_it_refuses_a_workbook_with_several_sheets(aiko: User) -> None:
    assert_refused(run(workbook("a", "b"), aiko, name="list.xlsx"), "2 sheets")


def test_it_refuses_merged_header_cells(aiko: User) -> None:
    assert_refused(run(workbook("a", merge="A1:B1"), aiko, name="list.xlsx"), "merged")


def test_it_refuses_a_zip_bomb_before_parsing(aiko: User, monkeypatch: Any) -> None:
    import openpyxl

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 60_000_000)
    content = buffer.getvalue()
    assert len(content) < 200_000
    assert_refused(run(content, aiko, name="bomb.xlsx"), "refused unread")


def test_it_refuses_a_workbook_with_thousands_of_entries(aiko: User) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(1000):
            archive.writestr(f"xl/media/{number}.bin", b"")
    assert_refused(run(buffer.getvalue(), aiko, name="many.xlsx"), "1001 parts")


@override_settings(IMPORT_MAX_BYTES=2_000)
def test_it_refuses_a_file_over_the_size_limit(aiko: User) -> None:
    content = csv_bytes(*[good_row(f"k-{n}") for n in range(60)])
    assert len(content) > 2_000
    assert_refused(run(content, aiko), "the limit is 0.002 MB")


@override_settings(IMPORT_MAX_ROWS=5)
def test_it_refuses_a_file_over_the_row_limit(aiko: User) -> None:
    content = csv_bytes(*[good_row(f"k-{n}") for n in range(6)])
    assert_refused(run(content, aiko), "more than 5 rows")
    assert run(csv_bytes(*[good_row(f"k-{n}") for n in range(5)]), aiko).created == 5


def test_it_answers_in_the_users_language(aiko: User) -> None:
    from django.utils import translation

    with translation.override("ja"):
        report = run(csv_bytes(good_row(kind="")), aiko)
    assert report.errors[0]["message"] == "このフィールドは必須です。"


def test_a_nul_in_the_header_or_a_quoted_cell_is_stored_as_a_visible_symbol(aiko: User) -> None:
    """PostgreSQL refuses NUL in JSON: the job failed there (issue 16) instead of reporting."""
    content = csv_bytes(good_row(prefecture="4\x003"), header=HEADER + ",colour\x00")
    job = import_job_start(
        user=aiko,
        file_name="file.csv",
        content=content,
        mode=ImportJob.Mode.DRY_RUN,
        language="en",
    )
    assert job.state == ImportJob.State.DONE
    assert "\x00" not in str(job.report)
    assert any("colour␀" in warning for warning in job.report["warnings"]), job.report
    assert any("4␀3" in error["message"] for error in job.report["errors"]), job.report
