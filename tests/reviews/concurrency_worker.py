"""A separate process for test_concurrency.py: seeds the database, or plays one web
worker posting reviews through the full Django request stack.

    python -m tests.reviews.concurrency_worker seed MOVIES WORKERS USERS_PER_WORKER
    python -m tests.reviews.concurrency_worker run WORKER_INDEX START_AT
    python -m tests.reviews.concurrency_worker count

DATABASE_URL names the shared database (a SQLite file or a PostgreSQL database).
Prints one JSON line: what it did and every request that did not succeed.
"""

import datetime
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CACHE_URL", "locmemcache://concurrency")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from movies.models import Movie  # noqa: E402

TEXT = (
    "Seen twice now. The craft is beyond question and the final act lands, though the "
    "second hour wanders further than it needs to before it finds its way home again."
)


def seed(movies, workers, users_per_worker):
    joined = timezone.now() - datetime.timedelta(days=365)
    for n in range(movies):
        Movie.objects.create(title=f"Contended {n}", year=2020, status="published")
    User = get_user_model()
    for w in range(workers):
        for u in range(users_per_worker):
            email = f"w{w}u{u}@example.com"
            user = User.objects.create_user(f"w{w}u{u}", email, date_joined=joined)
            # Confirmed, so every rating counts at once (reviews/trust.py).
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return {"movies": movies, "users": workers * users_per_worker}


def run(worker, start_at):
    slugs = list(Movie.objects.order_by("pk").values_list("slug", flat=True))
    users = list(get_user_model().objects.filter(username__startswith=f"w{worker}u"))
    time.sleep(max(0.0, start_at - time.time()))  # every worker starts together
    failures, posted = [], 0
    for u_index, user in enumerate(users):
        client = Client()
        client.force_login(user)
        for m_index, slug in enumerate(slugs):
            rating = (worker + u_index + m_index) % 10 + 1
            data = {"rating": str(rating), "headline": "", "body": ""}
            if (u_index + m_index) % 2:
                data.update(headline="Mixed feelings", body=TEXT)
            url = f"/movies/{slug}/review/"
            for attempt in ("create", "edit"):
                if attempt == "edit":
                    if m_index % 3:
                        continue
                    data["rating"] = str(11 - rating)
                try:
                    response = client.post(url, data)
                    ok = response.status_code == 302
                except Exception as exc:  # a failed request is what this test looks for
                    ok, response = False, exc
                posted += 1
                if not ok:
                    failures.append(f"{attempt} {user} {slug}: {response!r}")
        # One delete per user, so removal races too.
        try:
            response = client.post(f"/movies/{slugs[u_index % len(slugs)]}/review/delete/")
            ok = response.status_code == 302
        except Exception as exc:
            ok, response = False, exc
        posted += 1
        if not ok:
            failures.append(f"delete {user}: {response!r}")
    return {"worker": worker, "requests": posted, "failures": failures}


def count():
    from django.db.models import Sum

    from reviews.models import Review

    return {
        "reviews": Review.objects.count(),
        "published": Review.objects.published().count(),
        "counted": Movie.objects.aggregate(n=Sum("rating_count"))["n"],
    }


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "seed":
        print(json.dumps(seed(*map(int, args))))
    elif mode == "count":
        print(json.dumps(count()))
    else:
        print(json.dumps(run(int(args[0]), float(args[1]))))
