"""Two app servers behind nginx, sharing one database, one Redis and one bucket: `make cluster`.

    python scripts/cluster.py [--short] [--keep-running SECONDS]

Starts, all on 127.0.0.1 and free ports: moto's S3 server (the shared media store), a
scratch PostgreSQL database on DATABASE_URL's server (ww_servers_cluster_*; migrated and
seeded), two gunicorn instances A and B (pooled connections, CACHE_URL's Redis, default
redis://127.0.0.1:6379/3, which is flushed first) and nginx in front of both with the
failover of docs/nginx.conf.template. Then checks, printing PASS or FAIL for each:

1. nginx spreads requests over both instances, compresses HTML and serves the static
   files itself;
2. a reader signs in through A and posts a review through B with the form (and CSRF
   token) A served: one session and one CSRF secret for both;
3. that review is on the film's page as A serves it, at once;
4. an editor uploads a poster through A's admin; B's page links it and nginx serves it;
5. instance A is killed (SIGKILL, workers and all) while readers load pages through
   nginx: no reader request fails.

Exits 1 if any check fails. Every wait and loop is bounded; everything it started is
stopped and the scratch database dropped, whatever happens.
"""

import argparse
import html
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.load import databases  # noqa: E402
from tests.load.client import Browser, Recorder, forms_on  # noqa: E402

BUCKET = "ww-cluster-media"
EDITOR, EDITOR_PASSWORD = "cluster-editor", "a cluster editor's password 42"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_CACHE = "redis://127.0.0.1:6379/3"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Checks:
    def __init__(self):
        self.failed = []

    def record(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            self.failed.append(name)
        return ok


# --- the processes ------------------------------------------------------------


NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    log_format upstreams '$request_method $uri $status upstream=$upstream_addr';
    access_log {dir}/nginx-access.log upstreams;
    include /etc/nginx/mime.types;
{body}
}}
"""


def nginx_conf(directory, port, app_ports, moto_port):
    """The production template (docs/nginx.conf.template) with this run's addresses, less
    TLS; one file, so `make cluster` always tries what production ships."""
    template = (ROOT / "docs" / "nginx.conf.template").read_text()
    body = template.split("# --- cut: http block ---", 1)[1]
    body = body.split("# --- cut: end ---", 1)[0]
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports
    )
    replacements = {
        "{{APP_SERVERS}}": servers.strip(),
        "{{LISTEN}}": f"127.0.0.1:{port}",
        "{{SERVER_NAME}}": "127.0.0.1",
        "{{STATIC_ROOT}}": str(ROOT / "staticfiles"),
        "{{MEDIA_UPSTREAM}}": f"http://127.0.0.1:{moto_port}/{BUCKET}/",
        "{{TLS}}": "",
    }
    for key, value in replacements.items():
        body = body.replace(key, value)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(user=user, dir=directory, body=body)


def public_read_policy(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


class Cluster:
    def __init__(self, directory, database_url, cache_url):
        self.dir = Path(directory)
        self.database_url, self.cache_url = database_url, cache_url
        self.nginx_port, self.moto_port = free_port(), free_port()
        self.ports = {"A": free_port(), "B": free_port()}
        self.apps, self.nginx, self.moto = {}, None, None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DATABASE_POOL": "true",
            "DATABASE_POOL_MAX_SIZE": "2",
            "CACHE_URL": cache_url,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.moto_port}",
            # Pages link uploads through the proxy, as in production.
            "AWS_S3_CUSTOM_DOMAIN": f"127.0.0.1:{self.nginx_port}/media",
            "AWS_S3_URL_PROTOCOL": "http:",
            "REVIEWS_PER_HOUR": "1000",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": "false",
        }

    def manage(self, *args, env=None):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def start_moto(self):
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.moto_port}",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        # Anyone may read an object, as production's bucket policy says
        # (docs/production.md); only the app's keys may write or list.
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read_policy(BUCKET)))

    def start_app(self, name):
        log = (self.dir / f"gunicorn-{name}.log").open("w")
        self.apps[name] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env={**self.env, "BIND": f"127.0.0.1:{self.ports[name]}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, workers too
        )

    def start_nginx(self):
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.dir, self.nginx_port, self.ports.values(), self.moto_port))
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(self.dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "nginx-stderr.log").open("w"),
            start_new_session=True,
        )

    def wait_healthy(self, port, process, what):
        probe = Browser(port, Recorder(), timeout=5)
        for _ in range(150):  # 30 s
            if process.poll() is not None:
                sys.exit(f"{what} exited; logs in {self.dir}")
            if probe.request("GET", "/healthz").status == 200:
                return
            time.sleep(0.2)
        sys.exit(f"{what} did not answer /healthz within 30 s")

    def kill_app(self, name):
        process = self.apps[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def stop(self):
        for process in [*self.apps.values(), self.nginx]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
        if self.moto is not None:
            self.moto.stop()


# --- a browser's form, for the admin ------------------------------------------


class _FullForm(HTMLParser):
    """The fields of the form holding `field`, with what a browser would send: checked
    boxes only, the selected options (the first one when none is), textareas' text."""

    def __init__(self, field):
        super().__init__(convert_charrefs=True)
        self.field, self.forms, self._form, self._select, self._textarea = (
            field,
            [],
            None,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "pairs": [], "names": set()}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if name:
                self._form["names"].add(name)
            if not name or kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._form["pairs"].append(
                (name, attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [value for value, selected in self._select["options"] if selected]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0][0]]
            self._form["pairs"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["pairs"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None

    def result(self):
        return next((form for form in self.forms if self.field in form["names"]), None)


def multipart(pairs, files):
    boundary = f"----cluster{uuid.uuid4().hex}"
    parts = []
    for name, value in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content_type, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def raw_request(port, method, path, *, cookies=None, body=None, content_type=None, headers=None):
    """One request with http.client; (status, headers, body bytes)."""
    import http.client

    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if content_type:
        headers["Content-Type"] = content_type
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, {}, repr(exc).encode()
    finally:
        connection.close()


def poster_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 600), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the checks ---------------------------------------------------------------


def check_spread(cluster, checks):
    probe = Browser(cluster.nginx_port, Recorder())
    for _ in range(12):
        probe.request("GET", "/healthz")
    log = (cluster.dir / "nginx-access.log").read_text()
    used = {name for name, port in cluster.ports.items() if f":{port}" in log}
    checks.record(
        "nginx spreads requests over both instances", used == {"A", "B"}, f"{sorted(used)}"
    )


def check_proxy_work(cluster, checks):
    """What production's proxy does for the app servers: compression and static files."""
    port, gzip = cluster.nginx_port, {"Accept-Encoding": "gzip"}
    status, headers, page = raw_request(port, "GET", "/", headers=gzip)
    checks.record(
        "nginx compresses the HTML",
        status == 200 and headers.get("Content-Encoding") == "gzip",
        f"{status} {headers.get('Content-Encoding')}",
    )
    _, _, plain = raw_request(port, "GET", "/")
    css = re.search(rb'href="(/static/[^"]+\.css)"', plain)
    served = False
    if css:
        status, headers, _ = raw_request(port, "GET", css.group(1).decode(), headers=gzip)
        served = (
            status == 200
            and headers.get("Content-Encoding") == "gzip"
            and "immutable" in headers.get("Cache-Control", "")
        )
    checks.record(
        "nginx serves static files itself, precompressed, cached a year",
        served,
        css.group(1).decode() if css else "no stylesheet link on the home page",
    )


def check_review_across(cluster, checks, reader, slug):
    a, b = cluster.ports["A"], cluster.ports["B"]
    browser = Browser(a, Recorder())
    signed_in = browser.log_in("/accounts/login/", reader, PASSWORD_FOR_READERS)
    checks.record("a reader signs in through A", signed_in)
    anonymous = Browser(a, Recorder())
    anonymous.request("GET", f"/movies/{slug}/")  # A renders (and may cache) the page first

    page = browser.request("GET", f"/movies/{slug}/review/")
    form = next(
        (f for f in forms_on(page.text) if any(x.get("name") == "rating" for x in f["fields"])),
        None,
    )
    headline = f"Seen through B {uuid.uuid4().hex[:6]}"
    posted = None
    if form is not None:
        data = {x["name"]: x.get("value", "") for x in form["fields"] if x.get("type") == "hidden"}
        data.update(
            rating="8",
            headline=headline,
            body="Written on a page from instance A and posted to instance B: the session "
            "and the CSRF token are the same on both, because they share one database "
            "and one secret.",
        )
        browser.port = b
        posted = browser.request(
            "POST", form["attrs"].get("action") or f"/movies/{slug}/review/", form=data
        )
    ok = (
        posted is not None
        and posted.status == 302
        and "/login" not in posted.headers.get("Location", "")
    )
    checks.record(
        "the session and CSRF token from A are accepted by B (review posted through B)",
        ok,
        f"status {posted.status if posted else 'no form'}",
    )
    shown = anonymous.request("GET", f"/movies/{slug}/")
    checks.record(
        "the review posted through B is on the page A serves, at once",
        shown.status == 200 and html.escape(headline) in shown.text,
    )


PASSWORD_FOR_READERS = None  # set from tests.load.seed in main()


def check_poster_across(cluster, checks, slug, movie_id):
    a, b = cluster.ports["A"], cluster.ports["B"]
    editor = Browser(a, Recorder())
    signed_in = editor.log_in("/admin/login/", EDITOR, EDITOR_PASSWORD)
    checks.record("an editor signs in to the admin through A", signed_in)
    change = f"/admin/movies/movie/{movie_id}/change/"
    status, _, page = raw_request(a, "GET", change, cookies=editor.cookies)
    parser = _FullForm("poster")
    parser.feed(page.decode("utf-8", "replace"))
    form = parser.result()
    uploaded = False
    if status == 200 and form is not None:
        content_type, body = multipart(
            form["pairs"] + [("_save", "Save")],
            {"poster": ("cluster.jpg", "image/jpeg", poster_bytes())},
        )
        status, headers, answer = raw_request(
            a, "POST", change, cookies=editor.cookies, body=body, content_type=content_type
        )
        uploaded = status == 302
        if not uploaded:
            errors = re.findall(
                r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.decode("utf-8", "replace"), re.S
            )
            print(f"      admin answered {status}: {' | '.join(errors)[:600]}")
    elif not uploaded:
        print(f"      the change page answered {status} ({page[:200]!r}), form: {form is not None}")
    checks.record("a poster is uploaded through A's admin", uploaded)

    _, _, page = raw_request(b, "GET", f"/movies/{slug}/")
    links = re.findall(
        rf'http://127\.0\.0\.1:{cluster.nginx_port}/media/(posters/[^"\s]+)', page.decode()
    )
    served = False
    if links:
        status, headers, data = raw_request(cluster.nginx_port, "GET", f"/media/{links[0]}")
        served = (
            status == 200
            and headers.get("Content-Type", "").startswith("image/")
            and len(data) > 100
        )
        if not served:
            print(f"      nginx answered {status} {headers.get('Content-Type')}: {data[:200]!r}")
    checks.record(
        "B's page links the poster and nginx serves it from the shared bucket",
        served,
        links[0] if links else "no poster link on B's page",
    )


def check_failover(cluster, checks, slugs, seconds):
    paths = ["/", "/movies/", "/healthz"] + [f"/movies/{slug}/" for slug in slugs]
    recorder, stop = Recorder(), threading.Event()

    def reader(index):
        browser = Browser(cluster.nginx_port, recorder, timeout=30)
        for step in range(100_000):
            if stop.is_set():
                return
            browser.request("GET", paths[(index + step) % len(paths)])

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    cluster.kill_app("A")
    killed_at = time.monotonic()
    time.sleep(seconds * 2 / 3)
    stop.set()
    for thread in threads:
        thread.join(60)
    outcomes = recorder.snapshot()
    failed = [o for o in outcomes if o.status is None or o.status >= 500]
    after = [o for o in outcomes if o.started > killed_at]
    log = (cluster.dir / "nginx-access.log").read_text()
    retried = sum(1 for line in log.splitlines() if ", " in line.partition("upstream=")[2])
    checks.record(
        "instance A killed mid-run: no reader request failed",
        not failed and len(after) > 0,
        f"{len(outcomes)} requests, {len(after)} after the kill, {len(failed)} failed, "
        f"{retried} retried by nginx on B",
    )
    for outcome in failed[:5]:
        print(f"      {outcome.method} {outcome.path}: {outcome.status} {outcome.problem[:200]}")
    if failed:
        errors = (cluster.dir / "nginx-error.log").read_text().splitlines()
        print("      nginx's error log:\n" + "\n".join(f"      {line}" for line in errors[-8:]))


def main(argv=None):
    global PASSWORD_FOR_READERS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a shorter failover run (6 s)")
    args = parser.parse_args(argv)
    from tests.load.seed import PASSWORD

    PASSWORD_FOR_READERS = PASSWORD
    if subprocess.run(["which", "nginx"], capture_output=True).returncode:
        sys.exit("nginx is not installed: `make cluster` installs Debian's nginx-light")
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not databases.is_postgres(base):
        sys.exit("The cluster needs PostgreSQL: set DATABASE_URL=postgres://...")
    cache_url = os.environ.get("CLUSTER_CACHE_URL", DEFAULT_CACHE)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="ww-cluster-") as directory:
        os.chmod(directory, 0o755)
        url = databases.scratch_url(base, "servers_cluster", directory)
        cluster = Cluster(directory, url, cache_url)
        try:
            began = time.monotonic()
            import redis

            redis.Redis.from_url(cache_url).flushdb()
            cluster.manage("migrate", "--noinput", "-v", "0")
            cluster.manage("collectstatic", "--noinput", "-v", "0")
            made = json.loads(
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "tests.load.seed",
                        "seed",
                        "--films",
                        "3",
                        "--accounts",
                        "2",
                    ],
                    cwd=ROOT,
                    env=cluster.env,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=300,
                ).stdout
            )
            cluster.manage(
                "createsuperuser",
                "--noinput",
                "--username",
                EDITOR,
                "--email",
                "editor@example.com",
                env={"DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD},
            )
            slug = made["films"][0]
            movie_id = cluster.manage(
                "shell",
                "--no-imports",
                "-c",
                f"from movies.models import Movie; print(Movie.objects.get(slug='{slug}').pk)",
            ).split()[-1]
            cluster.start_moto()
            for name in cluster.ports:
                cluster.start_app(name)
            cluster.start_nginx()
            for name, port in cluster.ports.items():
                cluster.wait_healthy(port, cluster.apps[name], f"gunicorn {name}")
            cluster.wait_healthy(cluster.nginx_port, cluster.nginx, "nginx")
            print(
                f"Started in {time.monotonic() - began:.0f} s: nginx :{cluster.nginx_port} -> "
                f"A :{cluster.ports['A']}, B :{cluster.ports['B']}; moto S3 :{cluster.moto_port}; "
                f"database {url.rsplit('/', 1)[-1]}; cache {cache_url}",
                flush=True,
            )
            check_spread(cluster, checks)
            check_proxy_work(cluster, checks)
            check_review_across(cluster, checks, made["accounts"][0], slug)
            check_poster_across(cluster, checks, slug, movie_id)
            check_failover(cluster, checks, made["films"], 6 if args.short else 15)
        finally:
            cluster.stop()
            databases.drop(url)
    print(f"\n{len(checks.failed)} check(s) failed" if checks.failed else "\nEvery check passed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
