from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """The database cache's table (the default CACHE_URL) comes with `migrate`, so a
    database prepared by `manage.py migrate` alone serves every page. A no-op for other
    cache backends and when the table exists."""
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Catalogue"

    def ready(self):
        from movies import history

        post_migrate.connect(create_cache_table, sender=self)
        history.register()
