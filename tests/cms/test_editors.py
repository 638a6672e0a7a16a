"""Marketing editors work in Wagtail only; their changes go through review before they are published."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cms.models import BrandPage, Menu
from cms.tasks import pages_publish_scheduled_task
from tests.cms.conftest import publish_brand_page

pytestmark = pytest.mark.django_db


def test_marketing_editors_hold_wagtail_permissions_only():
    group = Group.objects.get(name="Marketing editors")

    apps = set(group.permissions.values_list("content_type__app_label", flat=True))

    assert apps <= {"wagtailadmin", "cms"}
    assert not group.permissions.filter(
        content_type__app_label__in=["order", "partner", "catalogue"]
    ).exists()


def test_editor_can_sign_in_to_the_cms_admin(client, editor):
    client.force_login(editor)

    assert client.get("/cms-admin/").status_code == 200


@pytest.mark.parametrize("path", ["/shop/dashboard/", "/shop/dashboard/orders/", "/django-admin/"])
def test_editor_cannot_reach_the_shop_dashboard_orders_or_django_admin(client, editor, path):
    client.force_login(editor)

    response = client.get(path)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_editor_cannot_open_an_order_in_the_dashboard(client, editor):
    from oscar.test.factories import create_order

    order = create_order()
    client.force_login(editor)

    response = client.get(f"/shop/dashboard/orders/{order.number}/")

    assert response.status_code in (302, 403)


def test_editor_may_edit_pages_but_not_publish_them(home, editor):
    page = publish_brand_page(home)

    permissions = page.permissions_for_user(editor)

    assert permissions.can_edit()
    assert permissions.can_add_subpage()
    assert not permissions.can_publish()


def test_editor_may_manage_menus_and_the_footer(client, editor):
    client.force_login(editor)

    assert client.get("/cms-admin/snippets/cms/menu/").status_code == 200
    assert client.get("/cms-admin/settings/cms/footersettings/", follow=True).status_code == 200


def test_brand_page_change_goes_through_review_and_publication(home, editor, moderator):
    page = publish_brand_page(home, title="房县香菇")
    page.tagline = "神农架南麓的香菇"
    revision = page.save_revision(user=editor)

    # The editor submits the draft to the workflow that covers every page under the home page.
    workflow = page.get_workflow()
    assert workflow.name == "Marketing review"
    state = workflow.start(page, editor)
    page.refresh_from_db()
    assert BrandPage.objects.get(pk=page.pk).tagline == ""  # still the published version
    assert state.status == state.STATUS_IN_PROGRESS

    # A moderator approves the task; the last task approved publishes the revision.
    task_state = state.current_task_state.specific
    assert task_state.task.specific.get_actions(page, editor) == []  # editors cannot approve
    task_state.task.specific.on_action(task_state, moderator, "approve")

    state.refresh_from_db()
    live = BrandPage.objects.get(pk=page.pk)
    assert state.status == state.STATUS_APPROVED
    assert live.live and live.tagline == "神农架南麓的香菇"
    assert live.live_revision_id == revision.pk


def test_moderator_can_ask_for_changes_and_nothing_is_published(home, editor, moderator):
    page = publish_brand_page(home, title="房县香菇")
    page.tagline = "有错别字的标语"
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)

    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, moderator, "reject")

    state.refresh_from_db()
    assert state.status == state.STATUS_NEEDS_CHANGES
    assert BrandPage.objects.get(pk=page.pk).tagline == ""


def test_scheduled_page_goes_live_when_the_beat_job_runs_after_its_time(home):
    page = publish_brand_page(home, slug="later", title="以后上线")
    page.title = "定时上线"
    page.go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    page.save_revision(approved_go_live_at=page.go_live_at)

    pages_publish_scheduled_task.delay()

    assert BrandPage.objects.get(pk=page.pk).title == "定时上线"


def test_revisions_are_kept_and_an_old_one_can_be_published_again(home):
    page = publish_brand_page(home, title="第一版")
    first = page.latest_revision
    page.title = "第二版"
    page.save_revision().publish()

    first.publish()

    assert BrandPage.objects.get(pk=page.pk).title == "第一版"
    assert page.revisions.count() == 2  # both versions kept; re-publishing the first adds none


def test_a_menu_link_needs_a_page_or_an_address(home):
    from django.core.exceptions import ValidationError

    item = Menu.objects.create(handle=Menu.MAIN, title="主菜单").items.model(label="商城")

    with pytest.raises(ValidationError) as raised:
        item.clean()

    assert "二选一" in str(raised.value)


def test_seeded_staff_account_reviews_editors_pages(home):
    from django.contrib.auth import get_user_model

    from cms import demo

    staff = get_user_model().objects.create_user(
        username="staff", email="staff@demo.shiyan.example", password="x"
    )

    demo._reviewers()

    assert staff.groups.filter(name="Moderators").exists()


def test_product_chooser_lists_only_products_on_sale_and_searches_them(client, editor):
    from tests.cms.conftest import make_product

    make_product(title="房县香菇 花菇")
    make_product(title="丹江口 蜜橘", brand="丹江柑橘")
    make_product(title="房县香菇 已下架", is_public=False)
    client.force_login(editor)

    listing = client.get("/cms-admin/cms/product-chooser/").json()["html"]
    found = client.get("/cms-admin/cms/product-chooser/results/", {"q": "蜜橘"}).content.decode()

    assert "房县香菇 花菇" in listing and "丹江口 蜜橘" in listing
    assert "已下架" not in listing
    assert "丹江口 蜜橘" in found and "房县香菇 花菇" not in found


@pytest.mark.parametrize("path", ["/cms-admin/", "/cms-admin/account/", "/cms-admin/users/"])
def test_the_cms_admin_calls_no_third_party_avatar_service(admin_client, path):
    response = admin_client.get(path, follow=True)

    assert response.status_code == 200
    assert "gravatar" not in response.content.decode().lower()
