"""The impact pages: staff dashboard, filters refused with a message, XLSX, targets, scopes.

Pages are in the site's language (zh-hans): the messages are checked in Chinese.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.test.factories import UserFactory

from impact import rollup
from impact.models import YearTarget
from tests.factories.channels import channel_manager
from tests.factories.suppliers import portal_user_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEAR = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def built(known):
    rollup.rollups_rebuild()
    return known


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def test_staff_dashboard_shows_the_figures_map_and_how_we_count(staff, built):
    response = staff.get(reverse("impact:dashboard"), {**YEAR, "county": "fangxian", "channel": "school"})
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["figures"].sales == Decimal("150.00")  # O2 only: 房县 × 农校
    assert 'data-county="fangxian"' in page and "<svg" in page
    assert "echarts-5.6.0/echarts.min.js" in page
    assert "impact-chart-data" in page
    assert [row["progress"] for row in response.context["headline"]][1] == 1  # 1 of 84 enterprises


def test_dashboard_default_period_is_this_year(staff, built):
    response = staff.get(reverse("impact:dashboard"))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["filters"].start == today.replace(month=1, day=1)


def test_dashboard_is_for_staff_only(client, built):
    response = client.get(reverse("impact:dashboard"))
    assert response.status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("impact:dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"county": "atlantis"}, "没有“atlantis”这一项"),
        ({"channel": "wholesale"}, "没有“wholesale”这一项"),
        ({"category": "999999"}, "请从列表中选择"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "截止日期早于起始日期"),
        ({"start": "2010-01-01", "end": "2026-01-01"}, "统计期最长 10 年"),
        ({"start": "2026-13-45"}, "YYYY-MM-DD"),
    ],
)
def test_bad_filters_get_a_clear_message_not_a_500(staff, built, query, message):
    response = staff.get(reverse("impact:dashboard"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_xlsx_export_holds_the_filters_and_the_figures(staff, built):
    response = staff.get(reverse("impact:dashboard"), {**YEAR, "county": "fangxian", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('impact-20260101-20261231.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    rows = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    values = [row[1] for row in rows]
    assert "2026-01-01" in values and "2026-12-31" in values  # the filters used
    assert any(str(value) in ("房县", "Fang County") for value in values)
    assert any(row[1] == Decimal("250.00") or row[1] == 250 for row in rows)
    assert len(book.worksheets) == 9


def test_targets_refuse_zero_and_closed_years_and_save_good_ones(staff, db):
    url = reverse("impact:targets")
    this_year = timezone.localdate().year
    good = {"year": this_year, "sales": "1000000", "enterprises": 90, "products": 340, "households": 31000}
    response = staff.post(url, {**good, "sales": "0"})
    assert response.status_code == 200 and "目标必须大于零" in response.content.decode()
    response = staff.post(url, {**good, "year": this_year - 1})
    assert "年已结束" in response.content.decode()
    assert not YearTarget.objects.filter(year__gte=this_year - 1).exists()
    assert staff.post(url, good).status_code == 302
    assert YearTarget.objects.get(year=this_year).enterprises == 90
    assert staff.post(url, {**good, "enterprises": 95}).status_code == 302
    assert YearTarget.objects.get(year=this_year).enterprises == 95


def test_cooperative_sees_its_own_figures_only(client, built):
    k = built
    client.force_login(portal_user_for(k.a))
    response = client.get(reverse("impact_portal:home"), YEAR)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["figures"].sales == Decimal("250.00")
    assert k.b.short_name not in page and "竹山绿茶" not in page
    assert "海淀区" in page or "Haidian" in page
    # Another supplier cannot be asked for: the scope comes from the user, never from the URL.
    response = client.get(reverse("impact_portal:home"), {**YEAR, "supplier": k.b.pk})
    assert response.context["figures"].sales == Decimal("250.00")


def test_buyers_and_visitors_have_no_cooperative_impact_page(client, built):
    assert client.get(reverse("impact_portal:home")).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("impact_portal:home")).status_code == 403


def test_channel_manager_sees_their_channel_and_is_refused_others(client, built):
    client.force_login(channel_manager("school"))
    response = client.get(reverse("impact:channel", args=["school"]), YEAR)
    assert response.status_code == 200
    assert response.context["figures"].sales == Decimal("270.00")
    assert client.get(reverse("impact:channel", args=["supermarket"]), YEAR).status_code == 403
    assert (
        client.get(reverse("impact:channel", args=["school"]), {**YEAR, "channel": "retail"}).status_code
        == 400
    )


def test_every_period_length_reads_consistent_figures(staff, built):
    """A day-precise period and the same period in whole months give the same sales."""
    a = staff.get(reverse("impact:dashboard"), {"start": "2026-03-01", "end": "2026-06-30"}).context[
        "figures"
    ]
    b = staff.get(reverse("impact:dashboard"), {"start": "2026-03-02", "end": "2026-06-29"}).context[
        "figures"
    ]
    assert a.sales == b.sales == Decimal("420.00")
    assert datetime.date(2026, 3, 1) == a.by_month[0][0]


def test_the_channel_desk_links_each_of_the_managers_channels_to_its_figures(client, db):
    client.force_login(channel_manager("school"))

    page = client.get(reverse("channels:desk")).content.decode()

    assert reverse("impact:channel", args=["school"]) in page
    assert reverse("impact:channel", args=["supermarket"]) not in page


def test_staff_record_household_declarations_in_the_admin_never_for_a_year_to_come(client, db):
    from django.core.exceptions import ValidationError

    from impact.models import SupplierHouseholdDeclaration
    from tests.factories.suppliers import SupplierFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/django-admin/impact/supplierhouseholddeclaration/").status_code == 200
    supplier = SupplierFactory()
    next_year = timezone.localdate().year + 1
    with pytest.raises(ValidationError) as refused:
        SupplierHouseholdDeclaration(supplier=supplier, year=next_year, households=10).full_clean()
    assert "year" in refused.value.message_dict
    SupplierHouseholdDeclaration(supplier=supplier, year=next_year - 1, households=10).full_clean()
