"""Batch sheets are read by a worker, not in the request: the upload is stored privately, the page
follows the job's progress, the outcome is all or nothing, and a job whose worker died is ended."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.core import sheet_files as files
from tests.factories.traceability import days_ago, seller, today
from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes
from traceability import import_jobs
from traceability.models import Batch, BatchImport

pytestmark = pytest.mark.django_db

UPLOAD = "/shop/portal/batches/upload/"


@pytest.fixture(autouse=True)
def _stored_uploads_removed(db):
    """Uploads a test left in private storage (outside the per-test media folder) are deleted."""
    yield
    for job in BatchImport.objects.exclude(file=""):
        job.file.storage.delete(job.file.name)


@pytest.fixture
def grower(db, client):
    grower = seller(product_class_slug="tea", title="竹溪贡茶 雨前一级 250克", sku="SY04-002")
    grower.portal_user = grower.user()
    client.force_login(grower.portal_user)
    return grower


def _row(grower, lot="", quantity="120"):
    harvest = days_ago(10)
    return [
        "SY04-002",
        grower.base.name,
        lot,
        harvest.isoformat(),
        "",
        (today() + datetime.timedelta(days=300)).isoformat(),
        quantity,
        "件",
        "",
    ]


def _upload(client, capture, data: bytes, name="batches.xlsx"):
    """Upload in the portal; the worker's task runs when the upload commits (eagerly, as without
    REDIS_URL). Returns the job page after it."""
    with capture(execute=True):
        posted = client.post(UPLOAD, {"sheet": SimpleUploadedFile(name, data)})
    assert posted.status_code == 302
    return client.get(posted.url)


def test_an_upload_is_stored_privately_read_by_the_worker_and_imported(
    client, grower, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([_row(grower, lot="JOB-1"), _row(grower, lot="JOB-2")], header=HEADER_ZH)
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(UPLOAD, {"sheet": SimpleUploadedFile("我的批次.xlsx", data)})
    job = BatchImport.objects.get()
    page = client.get(posted.url)

    assert job.status == "imported" and job.created_count == 2 and job.rows_checked == job.rows_total == 2
    assert sorted(Batch.objects.values_list("lot_code", flat=True)) == ["JOB-1", "JOB-2"]
    assert job.file_name == "我的批次.xlsx" and job.file == "", "the upload is deleted once imported"
    text = page.content.decode()
    assert "2 个批次已作为草稿导入" in text and "?status=draft" in text


def test_the_stored_upload_lies_outside_the_public_media_folder_under_a_random_name(grower):
    upload = SimpleUploadedFile("../../etc/passwd.csv", csv_bytes([_row(grower)]))

    job = import_jobs.batch_import_start(
        supplier=grower.supplier, upload=upload, created_by=grower.portal_user, language="zh-hans"
    )

    path = Path(job.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()) and path.exists()
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "passwd" not in path.name and path.name.endswith(".csv")
    path.unlink()


def test_a_refused_sheet_lists_every_problem_by_row_and_column_and_imports_nothing(
    client, grower, django_capture_on_commit_callbacks
):
    data = csv_bytes(
        [_row(grower), _row(grower, quantity="NaN"), _row(grower, quantity="0")], header=HEADER_ZH
    )

    page = _upload(client, django_capture_on_commit_callbacks, data, "b.csv")

    job = BatchImport.objects.get()
    assert job.status == "refused" and job.error_count == 2 and not Batch.objects.exists()
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "数量"), (4, "数量")]
    text = page.content.decode()
    assert "未导入任何数据：有 2 个问题需要修改" in text and "“NaN”不是数字" in text
    assert 'action="/shop/portal/batches/upload/"' in text, "the page offers to upload a corrected sheet"


def test_a_workbook_with_several_sheets_asks_which_one_and_imports_the_one_chosen(
    client, grower, django_capture_on_commit_callbacks
):
    sheet = files.worksheet(files.rows_xml([HEADER_ZH, _row(grower, lot="SHEET-A")]))
    other = files.worksheet(files.rows_xml([HEADER_ZH, _row(grower, lot="SHEET-B")]))
    data = files.xlsx([("三月", sheet), ("四月", other)])

    page = _upload(client, django_capture_on_commit_callbacks, data)
    job = BatchImport.objects.get()
    assert job.status == "refused" and job.sheet_choices == ["三月", "四月"] and job.file
    assert 'value="四月"' in page.content.decode() and not Batch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(f"/shop/portal/batches/imports/{job.pk}/sheet/", {"sheet": "四月"})

    job.refresh_from_db()
    assert chosen.status_code == 302 and job.status == "imported" and job.sheet_name == "四月"
    assert list(Batch.objects.values_list("lot_code", flat=True)) == ["SHEET-B"]
    assert client.post(f"/shop/portal/batches/imports/{job.pk}/sheet/", {"sheet": "三月"}).status_code == 302
    assert Batch.objects.count() == 1, "a finished import cannot be run again"


def test_the_templates_help_sheets_are_not_offered_as_a_choice(
    client, grower, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    from traceability.imports import template_xlsx

    workbook = load_workbook(io.BytesIO(template_xlsx(grower.supplier)))
    workbook.worksheets[0].append(_row(grower, lot="TPL-9"))
    buffer = io.BytesIO()
    workbook.save(buffer)

    _upload(client, django_capture_on_commit_callbacks, buffer.getvalue())

    assert BatchImport.objects.get().status == "imported" and Batch.objects.get().lot_code == "TPL-9"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (files.bomb_whitespace(80 * files.MB), "解压后超过"),
        (files.empty_rows(1_048_576), "第 100,001 行"),
        (files.billion_laughs(), "DTD"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "既不是 Excel"),
    ],
    ids=["zip bomb", "a million empty rows", "entity expansion", "a picture"],
)
def test_a_hostile_file_is_answered_on_the_page_and_nothing_is_imported(
    client, grower, django_capture_on_commit_callbacks, data, words
):
    page = _upload(client, django_capture_on_commit_callbacks, data)

    job = BatchImport.objects.get()
    assert page.status_code == 200 and job.status == "refused" and not Batch.objects.exists()
    assert words in job.errors[0]["message"] and words in page.content.decode()


def test_a_file_over_the_size_limit_is_refused_in_the_form_before_it_is_stored(client, grower):
    big = SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1))

    response = client.post(UPLOAD, {"sheet": big})

    assert response.status_code == 200 and "文件超过 10 MB" in response.content.decode()
    assert not BatchImport.objects.exists()


def test_progress_is_written_while_rows_are_checked_and_served_as_json(client, grower):
    data = csv_bytes([_row(grower, lot=f"P-{n}") for n in range(600)])
    job = BatchImport.objects.create(
        supplier=grower.supplier, file_name="p.csv", file_size=len(data), language="zh-hans"
    )
    job.file.save("p.csv", io.BytesIO(data))

    with CaptureQueriesContext(connection) as queries:
        import_jobs.batch_import_run(import_id=job.pk)

    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "rows_checked" in q["sql"]]
    assert len(updates) >= 3, "progress at 0, 250, 500 … rows"
    status = client.get(f"/shop/portal/batches/imports/{job.pk}/status.json").json()
    assert status == {
        "status": "imported",
        "status_display": "已导入",
        "stage": "",
        "stage_display": "",
        "rows_checked": 600,
        "rows_total": 600,
        "percent": 100,
        "finished": True,
    }


def test_a_running_import_page_refreshes_itself_with_or_without_javascript(client, grower):
    job = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="p.csv",
        file_size=1,
        language="zh-hans",
        status="running",
        stage="checking",
        rows_total=800,
        rows_checked=200,
    )

    page = client.get(f"/shop/portal/batches/imports/{job.pk}/").content.decode()

    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "traceability/import.js" in page and 'value="25"' in page
    assert "正在检查：第 200 行，共 800 行" in page


def test_another_suppliers_import_is_not_found(client, grower):
    rival = seller(product_class_slug="tea", title="别家的茶")
    theirs = BatchImport.objects.create(
        supplier=rival.supplier, file_name="x", file_size=1, language="zh-hans"
    )

    for url in ("", "status.json"):
        assert client.get(f"/shop/portal/batches/imports/{theirs.pk}/{url}").status_code == 404
    assert client.post(f"/shop/portal/batches/imports/{theirs.pk}/sheet/", {"sheet": "x"}).status_code == 404


def test_a_job_is_taken_once_however_often_its_task_is_delivered(grower):
    data = csv_bytes([_row(grower, lot="ONCE-1")])
    job = BatchImport.objects.create(
        supplier=grower.supplier, file_name="o.csv", file_size=len(data), language="en"
    )
    job.file.save("o.csv", io.BytesIO(data))

    first = import_jobs.batch_import_run(import_id=job.pk)
    second = import_jobs.batch_import_run(import_id=job.pk)

    assert first is not None and second is None and Batch.objects.count() == 1


def test_a_job_whose_worker_died_is_failed_by_the_sweeper_and_nothing_is_imported(grower):
    stale = timezone.now() - datetime.timedelta(minutes=11)
    job = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="d.csv",
        file_size=1,
        language="en",
        status="running",
        heartbeat_at=stale,
    )
    job.file.save("d.csv", io.BytesIO(b"x"))
    alive = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="a.csv",
        file_size=1,
        language="en",
        status="running",
        heartbeat_at=timezone.now(),
    )

    counts = import_jobs.batch_imports_sweep()

    job.refresh_from_db()
    alive.refresh_from_db()
    assert counts["failed"] == 1 and job.status == "failed" and "interrupted" in job.errors[0]["message"]
    assert alive.status == "running" and not Batch.objects.exists()


def test_a_job_the_broker_lost_is_queued_again_by_the_sweeper(grower, django_capture_on_commit_callbacks):
    data = csv_bytes([_row(grower, lot="LOST-1")])
    job = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="l.csv",
        file_size=len(data),
        language="en",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=11),
    )
    job.file.save("l.csv", io.BytesIO(data))

    with django_capture_on_commit_callbacks(execute=True):
        counts = import_jobs.batch_imports_sweep()

    job.refresh_from_db()
    assert counts["queued"] == 1 and job.status == "imported" and Batch.objects.get().lot_code == "LOST-1"


def test_uploads_of_imports_ended_a_day_ago_are_deleted_and_the_record_kept(grower):
    job = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="old.xlsx",
        file_size=1,
        language="en",
        status="refused",
        sheet_choices=["a", "b"],
        finished_at=timezone.now() - datetime.timedelta(days=2),
    )
    job.file.save("old.xlsx", io.BytesIO(b"x"))
    path = Path(job.file.path)

    counts = import_jobs.batch_imports_sweep()

    job.refresh_from_db()
    assert counts["files_deleted"] == 1 and job.file == "" and not path.exists()


def test_an_import_stopped_at_its_time_limit_ends_failed_with_a_message(grower):
    job = BatchImport.objects.create(
        supplier=grower.supplier, file_name="t.csv", file_size=1, language="zh-hans", status="running"
    )

    import_jobs.batch_import_fail(import_id=job.pk, timed_out=True)

    job.refresh_from_db()
    assert job.status == "failed" and "用时太长" in job.errors[0]["message"]


def test_the_sweeper_is_scheduled_and_documented():
    from shop.schedule import CELERY_BEAT_SCHEDULE

    job = CELERY_BEAT_SCHEDULE["traceability-batch-imports-sweep"]
    operations = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text()
    assert job["task"] == "traceability.tasks.batch_imports_sweep_task"
    assert (
        "traceability-batch-imports-sweep" in operations
        and "traceability-api-idempotency-keys-purge" in operations
    )


def test_the_polled_status_and_the_import_page_take_a_fixed_handful_of_queries(
    client, grower, django_assert_max_num_queries
):
    job = BatchImport.objects.create(
        supplier=grower.supplier, file_name="q.csv", file_size=1, language="zh-hans", status="running"
    )

    with django_assert_max_num_queries(6):
        client.get(f"/shop/portal/batches/imports/{job.pk}/status.json")
    with django_assert_max_num_queries(15):  # most are the shop layout (basket, menus, footer)
        client.get(f"/shop/portal/batches/imports/{job.pk}/")


def test_staff_see_imports_in_the_admin_read_only(client, grower):
    from oscar.test.factories import UserFactory

    job = BatchImport.objects.create(
        supplier=grower.supplier,
        file_name="admin.csv",
        file_size=1,
        language="en",
        status="refused",
        errors=[{"row": 3, "column": "数量", "message": "x"}],
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/django-admin/traceability/batchimport/")
    page = client.get(f"/django-admin/traceability/batchimport/{job.pk}/change/")

    assert listing.status_code == 200 and "admin.csv" in listing.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
