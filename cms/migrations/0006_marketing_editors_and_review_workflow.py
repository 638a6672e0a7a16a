"""The "Marketing editors" group and the review workflow every CMS page goes through.

Marketing editors get Wagtail permissions only: into the CMS admin, add and edit pages under the
home page (not publish: publishing is the moderators' step of the workflow), images and documents,
the menus and the footer. Nothing of Oscar (no dashboard access, no orders, no partner data).

The workflow "Marketing review" on the home page: an editor submits, a member of Wagtail's
"Moderators" group approves (the page is published, or scheduled) or asks for changes.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Marketing editors"
REVIEWERS = "Moderators"
WORKFLOW = "Marketing review"
TASK = "Review by a moderator"
PAGE_PERMISSIONS = ["add_page", "change_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", "document", ["add_document", "change_document", "choose_document"]),
]
MODEL_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("cms", "menu", "add_menu"),
    ("cms", "menu", "change_menu"),
    ("cms", "menu", "delete_menu"),
    ("cms", "menuitem", "add_menuitem"),
    ("cms", "menuitem", "change_menuitem"),
    ("cms", "menuitem", "delete_menuitem"),
    ("cms", "footersettings", "change_footersettings"),
]


def _permission(apps, app_label, model, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, content_type__model=model, codename=codename)


def create_group_and_workflow(apps, schema_editor):
    cms_config = apps.get_app_config("cms")
    cms_config.models_module = True
    create_permissions(cms_config, verbosity=0)
    cms_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    HomePage = apps.get_model("cms", "HomePage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    editors, _ = Group.objects.get_or_create(name=GROUP)
    editors.permissions.add(*[_permission(apps, *spec) for spec in MODEL_PERMISSIONS])

    home = HomePage.objects.order_by("path").first()
    if home is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=editors, page_id=home.pk, permission=_permission(apps, "wagtailcore", "page", codename)
            )
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for app_label, model, codenames in COLLECTION_PERMISSIONS:
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=editors,
                    collection=root_collection,
                    permission=_permission(apps, app_label, model, codename),
                )

    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.add(reviewers)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if home is not None:
        WorkflowPage.objects.update_or_create(page_id=home.pk, defaults={"workflow": workflow})


def remove_group_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowPage.objects.filter(workflow__name=WORKFLOW).delete()
    Workflow.objects.filter(name=WORKFLOW).delete()
    GroupApprovalTask.objects.filter(name=TASK).delete()
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_remove_homepage_body_html"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(create_group_and_workflow, remove_group_and_workflow)]
