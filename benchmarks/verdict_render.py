"""CPU milliseconds to render an uncached verdict page, in-process (no server, no wrk).

    .venv/bin/python benchmarks/verdict_render.py [--renders 30] [--runs 5]
        [--database-url sqlite:////tmp/verdict.sqlite3] [--cache-url locmemcache://]
        [--save-html DIR] [--compare-html DIR]

Loads the curated demo films and their reviews (load_demo, load_demo_reviews) into the
database (default: a scratch SQLite file), collects static files (the manifest), then
renders One Second's page and the most reviewed film's page --renders times through the
test client (DEBUG off) and prints process CPU milliseconds a render (time.process_time),
the median of --runs, two ways:

- *cold*: nothing from the cache (`X-Page-Cache: cold`), the page and its parts rendered;
- *page miss*: the page rendered from its parts in the cache (`X-Page-Cache: bypass`;
  movies/fragments.py): a page-cache miss whose parts did not change.

--cache-url: the cache, cleared first (default in-process memory;
redis://127.0.0.1:6379/3 for Redis's round trips). --save-html writes each measured
page's HTML (plus a third film's) to DIR; --compare-html checks the pages render
byte-identical to a saved set (a change meant to be invisible). Either way the run
checks that both kinds of render give the same bytes.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on, machine, median  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--cache-url", default="locmemcache://render")
    parser.add_argument("--save-html")
    parser.add_argument("--compare-html")
    args = parser.parse_args()
    os.environ["PAGE_CACHE"] = "true"
    os.environ["PAGE_CACHE_ALLOW_BYPASS"] = "true"
    os.environ["DJANGO_DEBUG"] = "false"
    scratch = None
    url = args.database_url
    if not url:
        handle, scratch = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        url = f"sqlite:///{scratch}"
    django_on(url, args.cache_url)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from movies.models import Movie

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest, DEBUG off
    if not Movie.objects.exists():
        call_command("load_demo", verbosity=0)
        call_command("load_demo_reviews", verbosity=0)
    published = Movie.objects.filter(status="published")
    films = list(published.filter(title="One Second")[:1])
    films += list(
        published.exclude(pk__in=[f.pk for f in films])
        .annotate(n=Count("reviews"))
        .order_by("-n", "pk")[:2]
    )
    client = Client()
    cache.clear()
    pages = {}
    print(machine())
    for film in films:
        path = film.get_absolute_url()
        response = client.get(path, headers={"X-Page-Cache": "cold"})
        assert response.status_code == 200, (path, response.status_code)
        pages[film.slug] = response.content
        for _ in range(2):  # the first stores the parts, the second reads them
            warm = client.get(path, headers={"X-Page-Cache": "bypass"}).content
        assert warm == response.content, f"{path}: parts from the cache change the page"
    for film in films[:2]:
        path = film.get_absolute_url()
        for mode, label in (("cold", "cold"), ("bypass", "page miss, parts cached")):
            runs = []
            for _ in range(args.runs):
                start = time.process_time()
                for _ in range(args.renders):
                    client.get(path, headers={"X-Page-Cache": mode})
                runs.append((time.process_time() - start) * 1000 / args.renders)
            print(
                f"{film.title}, {label}: {median(runs):.2f} ms CPU a render (median of "
                f"{args.runs} runs of {args.renders}; runs {', '.join(f'{r:.2f}' for r in runs)})"
            )
    if args.save_html:
        Path(args.save_html).mkdir(parents=True, exist_ok=True)
        for slug, html in pages.items():
            Path(args.save_html, f"{slug}.html").write_bytes(html)
    if args.compare_html:
        different = [
            slug
            for slug, html in pages.items()
            if Path(args.compare_html, f"{slug}.html").read_bytes() != html
        ]
        print("HTML differs: " + ", ".join(different) if different else "HTML identical")
    if scratch:
        os.unlink(scratch)


if __name__ == "__main__":
    main()
