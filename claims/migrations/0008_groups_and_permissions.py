"""The editors and reviewers groups with their model permissions.

The codenames are frozen here: a migration must give the same result whatever the
code says later (``claims.permissions.GROUP_PERMISSIONS`` holds the same lists).
Groups that exist already (made by ``manage.py bootstrap``) keep what they hold and
get what is missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "editors": [
        "add_source",
        "add_document",
        "add_claim",
        "add_measure",
        "add_figure",
        "add_link",
        "add_topic",
        "change_source",
        "change_document",
        "change_claim",
        "change_measure",
        "change_figure",
        "change_link",
        "change_topic",
        "delete_source",
        "delete_document",
        "delete_claim",
        "delete_measure",
        "delete_figure",
        "delete_link",
        "delete_topic",
        "view_source",
        "view_document",
        "view_claim",
        "view_measure",
        "view_figure",
        "view_link",
        "view_topic",
        "view_review",
    ],
    "reviewers": [
        "view_source",
        "view_document",
        "view_claim",
        "view_measure",
        "view_figure",
        "view_link",
        "view_topic",
        "view_review",
        "add_review",
    ],
}


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are made after 'migrate' by a signal; these groups need them now.
    # create_permissions skips an app without a models module, as the migration
    # state's stand-in for an app is.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        permissions = list(
            Permission.objects.using(using).filter(
                content_type__app_label="claims", codename__in=codenames
            )
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"No permissions {sorted(missing)} for group {name}")
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=list(GROUPS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_measure_kind"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
