"""Anonymous supplier applications: each network may send SUPPLIER_APPLY_DAILY_LIMIT applications and
SUPPLIER_APPLY_DAILY_MB of documents a day, counted in the database for every web process alike."""

import datetime
import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from suppliers import services
from suppliers.models import ApplicationUsage, Supplier, SupplierDocument
from tests.factories.suppliers import make_uscc, pdf_bytes

APPLY = "/shop/suppliers/apply/"


def _application(n: int, *, licence: bytes | None = None):
    return {
        "legal_name": f"竹溪县第{n}茶叶专业合作社",
        "short_name": f"茶{n}",
        "kind": "cooperative",
        "uscc": make_uscc(700 + n, county="zhuxi"),
        "county": "zhuxi",
        "address": "湖北省十堰市竹溪县中峰镇",
        "contact_name": "李春梅",
        "phone": "13971928888",
        "email": f"tea{n}@example.com",
        "households_supported": "10",
        "business_licence": SimpleUploadedFile("营业执照.pdf", licence or pdf_bytes(), "application/pdf"),
        "consent": "on",
    }


@pytest.mark.django_db
def test_a_network_may_send_the_daily_number_of_applications_and_then_is_told_to_come_back_tomorrow(
    client, settings
):
    settings.SUPPLIER_APPLY_DAILY_LIMIT = 3
    for n in range(3):
        assert client.post(APPLY, _application(n), REMOTE_ADDR="198.51.100.7").status_code == 302

    response = client.post(APPLY, _application(3), REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert "今天已提交 3 份申请" in response.content.decode()
    assert Supplier.objects.count() == 3
    assert "竹溪县第3茶叶专业合作社" in response.content.decode()  # what was typed is kept
    # Another network is not held back.
    assert client.post(APPLY, _application(4), REMOTE_ADDR="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_the_documents_of_a_day_may_add_up_to_the_size_budget_and_no_more(client, settings):
    settings.SUPPLIER_APPLY_DAILY_MB = 1
    padded = pdf_bytes() + b"%" * (600 * 1024)  # a valid PDF with a comment tail: about 0.6 MB
    assert client.post(APPLY, _application(0, licence=padded), REMOTE_ADDR="198.51.100.7").status_code == 302

    response = client.post(APPLY, _application(1, licence=padded), REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert "1 MB" in response.content.decode() and "上限" in response.content.decode()
    assert Supplier.objects.count() == 1 and SupplierDocument.objects.count() == 1
    usage = ApplicationUsage.objects.get()
    assert (usage.applications, usage.bytes_uploaded) == (1, len(padded))


@pytest.mark.django_db
def test_an_application_that_is_not_saved_uses_nothing_of_the_allowance(client):
    data = _application(0)
    data["email"] = "not an address"

    response = client.post(APPLY, data, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert not ApplicationUsage.objects.exists()


@pytest.mark.django_db
def test_behind_the_proxy_each_client_address_has_its_own_allowance(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUPPLIER_APPLY_DAILY_LIMIT = 1
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    assert (
        client.post(APPLY, _application(0), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 302
    )

    # A spoofed entry to the left changes nothing; a different client does.
    spoofed = client.post(APPLY, _application(1), HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7", **proxy)
    other = client.post(APPLY, _application(2), HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    assert (spoofed.status_code, other.status_code) == (429, 302)


@pytest.mark.django_db
def test_yesterdays_counts_are_dropped_and_do_not_count_today(settings):
    settings.SUPPLIER_APPLY_DAILY_LIMIT = 1
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ApplicationUsage.objects.create(network="198.51.100.7", day=yesterday, applications=1, bytes_uploaded=10)

    services.application_allowance_take(network="198.51.100.7", upload_bytes=10)

    assert list(ApplicationUsage.objects.values_list("day", "applications")) == [(timezone.localdate(), 1)]
    with pytest.raises(ValidationError) as refused:
        services.application_allowance_take(network="198.51.100.7", upload_bytes=10)
    assert refused.value.code == "application_limit"


ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.skipif(
    not (ON_POSTGRES or os.environ.get("POSTGRES_REQUIRED") == "1"), reason="needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_processes_racing_for_the_last_five_applications_get_exactly_five(settings):
    assert ON_POSTGRES, "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    settings.SUPPLIER_APPLY_DAILY_LIMIT = 5
    start = threading.Barrier(10)
    outcomes = []

    def apply():
        try:
            start.wait(timeout=30)
            services.application_allowance_take(network="198.51.100.7", upload_bytes=1000)
            outcomes.append("taken")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # a crash must fail the test, not vanish in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused"] * 5 + ["taken"] * 5
    usage = ApplicationUsage.objects.get()
    assert (usage.applications, usage.bytes_uploaded) == (5, 5000)
