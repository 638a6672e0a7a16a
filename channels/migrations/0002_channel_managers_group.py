"""Data: the "Channel managers" group, holding the permission to use the channel managers' desk.

Which channels a manager handles is a ``ManagerAssignment`` row per channel; the group alone opens
no channel.
"""

from django.db import migrations

GROUP_NAME = "Channel managers"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Permissions are normally created after all migrations (post_migrate); create ours now.
    content_type, _ = ContentType.objects.get_or_create(app_label="channels", model="organisation")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="use_desk",
        defaults={"name": "Can use the channel managers' desk"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    # The demo accounts create this group by name as well; only its permission is ours to take back.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="channels", codename="use_desk"))


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
