"""`manage.py load_demo`: the demo films of movies/fixtures/demo_films.toml and a demo
editor (movies/demo.py); `manage.py load_demo_reviews` adds readers' reviews after it."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from movies.demo import DEFAULT_PASSWORD, DemoDataError, load_demo


class Command(BaseCommand):
    help = "Load the demo catalogue (One Second and fifteen more films) and a demo editor."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_EDITOR_PASSWORD", DEFAULT_PASSWORD),
            help="Password of the demo editor account (default: $DEMO_EDITOR_PASSWORD or "
            f"{DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--site-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
            help="Where the site is served, for the admin address printed at the end "
            "(default: http://127.0.0.1:$PORT; `make demo` passes the address it serves).",
        )
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Run even with DJANGO_ENV=production (it creates a staff account).",
        )  # fmt: skip

    def handle(self, *args, password, site_url, allow_production, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "load_demo creates a staff account with a known password; it refuses to run "
                "with DJANGO_ENV=production (pass --allow-production if you really mean it)."
            )
        try:
            loaded = load_demo(editor_password=password)
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        verb = "Loaded" if loaded.changed else "Demo data already up to date:"
        self.stdout.write(f"{verb} {loaded.films} demo films ({loaded.changed} rows written).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor: {site_url.rstrip('/')}/admin/  "
                f"username: {loaded.editor.username}  password: {password}"
            )
        )
