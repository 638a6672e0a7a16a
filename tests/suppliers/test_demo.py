import pytest
from django.contrib.auth import get_user_model

from suppliers import demo, geo
from suppliers.models import BasePhoto, Certification, ProductionBase, Supplier

pytestmark = pytest.mark.django_db

PARTNER_CODES = {
    "fangxian-mushroom-coop",
    "fangxian-muer-farm",
    "fangxian-yellow-wine",
    "zhuxi-tribute-tea-coop",
    "zhushan-tea-coop",
    "wudang-daocha",
    "danjiangkou-citrus-coop",
    "danjiangkou-fishery",
    "yunyang-olive-oil",
    "yunxi-mountain-farm",
    "zhangwan-orchard-coop",
    "maojian-herb-coop",
}


def test_every_demo_base_lies_inside_its_own_county_outline():
    for supplier in demo.SUPPLIERS:
        for base in supplier.bases:
            county = base.county or supplier.county
            assert geo.in_county(county, base.lat, base.lon), (supplier.code, base.name)


def test_seed_attaches_a_valid_supplier_to_each_demo_partner_and_can_run_twice(client):
    demo.seed()
    demo.seed()

    suppliers = Supplier.objects.select_related("partner")
    assert {s.partner.code for s in suppliers} == PARTNER_CODES
    for supplier in suppliers:
        supplier.full_clean()
        assert supplier.status == Supplier.Status.APPROVED
        assert supplier.logo
    for base in ProductionBase.objects.all():
        base.full_clean()
    assert ProductionBase.objects.count() == sum(len(s.bases) for s in demo.SUPPLIERS)
    assert BasePhoto.objects.count() == 2 * ProductionBase.objects.count()
    assert Certification.objects.filter(valid_until__lt=demo.timezone.localdate()).count() == 1
    assert all(s.food_licence_number for s in suppliers if s.processes_food)

    coop = get_user_model().objects.get(email="coop@demo.shiyan.example")
    client.force_login(coop)
    response = client.get("/shop/portal/")
    assert response.status_code == 200
    assert response.context["supplier"].partner.code == "fangxian-mushroom-coop"
    assert client.get("/shop/suppliers/").status_code == 200
