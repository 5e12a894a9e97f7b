from django.db import migrations, models

from accounts.usernames import skeleton


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "username"):
        User.objects.filter(pk=user.pk).update(username_skeleton=skeleton(user.username))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="What the username looks like (accounts/usernames.py): sign-up "
                "refuses a name that looks like another account's.",
                max_length=300,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
