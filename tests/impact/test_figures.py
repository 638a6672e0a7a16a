"""Every figure pinned on the known data set (tests/impact/conftest.py), computed by hand."""

import datetime
from decimal import Decimal as D

import pytest

from core.places import County
from impact import rollup
from impact.figures import Filters, Scope, figures_compute

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEAR = Filters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))


@pytest.fixture
def built(known):
    rollup.rollups_rebuild()
    return known


def test_year_figures_by_hand(built):
    k = built
    f = figures_compute(YEAR)
    # O1 100 + 50, O2 200 × (1 − 50/200) = 150, O5 120, O8 45; O3, O4, O6, O7 and O5's
    # cancelled line count nothing.
    assert f.sales == D("465.00")
    assert f.units == 2 + 1 + 4 + 2 + 1
    assert dict((m.month, a) for m, a in f.by_month if a) == {
        3: D("150.00"),
        4: D("150.00"),
        6: D("120.00"),
        8: D("45.00"),
    }
    assert len(f.by_month) == 12
    assert dict(f.by_county) == {County.FANGXIAN: D("250.00"), County.ZHUSHAN: D("215.00")}
    assert f.by_supplier == [(k.a.pk, D("250.00")), (k.b.pk, D("215.00"))]
    assert dict(f.by_product) == {k.p1.pk: D("100.00"), k.p2.pk: D("150.00"), k.p3.pk: D("215.00")}
    assert dict(f.by_channel) == {"school": D("270.00"), "retail": D("150.00"), "supermarket": D("45.00")}
    # 干货 is under 食用菌: counted in its top-level category.
    assert dict(f.by_category) == {k.fungi.pk: D("250.00"), k.tea.pk: D("215.00")}
    assert dict(f.by_brand) == {"房县香菇": D("100.00"), "房县黑木耳": D("150.00"), "竹山绿茶": D("215.00")}
    # The delivery site's district wins over the shipping address (O2: 海淀区, not 东城区).
    assert dict(f.by_district) == {"海淀区": D("270.00"), "朝阳区": D("150.00"), "西城区": D("45.00")}
    assert (f.suppliers, f.products) == (2, 3)
    # A: its 2026 declaration (150; the 2027 one is after the period), B: 40 (2024); C not reached.
    assert f.households == 190
    # The plan baseline (2020) stands for 2026 until a 2026 target is set.
    assert f.target["sales"] == D("200000000.00") and f.target["enterprises"] == 84


def test_filters(built):
    k = built
    assert figures_compute(Filters(**{**YEAR.__dict__, "county": County.FANGXIAN})).sales == D("250.00")
    school = figures_compute(Filters(**{**YEAR.__dict__, "channel": "school"}))
    assert school.sales == D("270.00") and school.households == 190
    tea = figures_compute(Filters(**{**YEAR.__dict__, "category_id": k.tea.pk}))
    assert tea.sales == D("215.00")
    assert dict(tea.by_district) == {"海淀区": D("120.00"), "朝阳区": D("50.00"), "西城区": D("45.00")}
    assert (tea.suppliers, tea.products, tea.households) == (1, 1, 40)


def test_periods_with_partial_months(built):
    # 10 March to 14 April reads March 10–31 and April 1–14 from the daily rows: O1 and O2.
    f = figures_compute(Filters(start=datetime.date(2026, 3, 10), end=datetime.date(2026, 4, 14)))
    assert f.sales == D("300.00")
    # 1 April 00:30 Beijing time is still 31 March in UTC: the sale is April's.
    assert (
        figures_compute(Filters(start=datetime.date(2026, 3, 11), end=datetime.date(2026, 3, 31))).sales == 0
    )
    # Two years of whole months: 2025's O6 too.
    two = figures_compute(Filters(start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31)))
    assert two.sales == D("565.00")
    assert two.target["sales"] == D("400000000.00")  # baseline for each of the two years


def test_cooperative_scope_sees_only_its_own(built):
    k = built
    own = figures_compute(YEAR, Scope(supplier_id=k.a.pk))
    assert own.sales == D("250.00")
    assert own.by_supplier == [(k.a.pk, D("250.00"))]
    assert dict(own.by_district) == {"朝阳区": D("100.00"), "海淀区": D("150.00")}
    assert own.households == 150 and own.target is None


def test_channel_scope(built):
    f = figures_compute(YEAR, Scope(channels=("school",)))
    assert f.sales == D("270.00")
    assert dict(f.by_channel) == {"school": D("270.00")}
