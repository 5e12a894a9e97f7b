"""Seed the documented default verdict ladder and the Editors group."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

LADDER = [
    ("Disaster", "disaster", Decimal("0"), 1, "bad"),
    ("Flop", "flop", Decimal("0.5"), 2, "bad"),
    ("Below average", "below-average", Decimal("1"), 3, "bad"),
    ("Average", "average", Decimal("1.5"), 4, "mixed"),
    ("Hit", "hit", Decimal("2.5"), 5, "good"),
    ("Super hit", "super-hit", Decimal("4"), 6, "good"),
    ("Blockbuster", "blockbuster", Decimal("6"), 7, "good"),
]

EDITOR_MODELS = [
    "movie", "genre", "person", "credit", "regionalgross", "provider", "availability",
    "verdictband",
]


def seed(apps, schema_editor):
    VerdictBand = apps.get_model("movies", "VerdictBand")
    if not VerdictBand.objects.exists():
        for name, slug, minimum, order, tone in LADDER:
            VerdictBand.objects.create(
                name=name, slug=slug, min_multiple=minimum, order=order, tone=tone
            )

    # Permissions are normally made after migrations; editors need them now.
    app_config = apps.get_app_config("movies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="movies", content_type__model__in=EDITOR_MODELS
        )
    )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
