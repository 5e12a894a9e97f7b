from django.core.management.base import BaseCommand

from movies import services
from movies.text import plural


class Command(BaseCommand):
    help = (
        "Publish every draft of a change whose scheduled time has come. Run it every minute "
        "from cron, on any number of servers: each draft is published once (a row lock). A "
        "draft whose film changed since it was started is left for an editor, with the reason."
    )

    def handle(self, *args, **options):
        count = services.publish_due_drafts()
        self.stdout.write(f"Published {plural(count, 'scheduled draft')}.")
