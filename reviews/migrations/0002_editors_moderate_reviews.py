"""Let the Editors group moderate reviews and reports (never users or groups)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "view_review", "change_review", "delete_review",
    "view_reviewreport", "change_reviewreport", "delete_reviewreport",
]


def grant(apps, schema_editor):
    # Permissions are normally made after migrations; editors need them now.
    app_config = apps.get_app_config("reviews")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="reviews", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reviews", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("movies", "0002_default_ladder_and_editors"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
