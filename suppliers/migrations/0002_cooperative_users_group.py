"""Data: the "Cooperative users" group, holding the permission to use the cooperative portal."""

from django.db import migrations

GROUP_NAME = "Cooperative users"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Permissions are normally created after all migrations (post_migrate); create ours now.
    content_type, _ = ContentType.objects.get_or_create(app_label="suppliers", model="supplier")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="use_portal",
        defaults={"name": "Can use the cooperative portal"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
