"""Worth Watching settings: one file, the environment decides.

Every value comes from the environment (or a `.env` file beside manage.py) through
django-environ. Development and production differ only by variables; docs/configuration.md
has the table and `.env.example` a commented copy.

A bad or missing value stops start-up with one line naming the variable
(`ConfigurationError`), not a traceback.
"""

import warnings
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

# The insecure key `check --deploy` rejects (security.W009 matches the prefix).
DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789abcdef"


class ConfigurationError(SystemExit):
    """A configuration mistake: exits with one clear line instead of a traceback."""

    def __init__(self, variable, problem):
        super().__init__(f"Configuration error: {variable}: {problem}")


env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _get(variable, cast, default):
    try:
        return cast(variable, default=default)
    except (ValueError, TypeError, environ.ImproperlyConfigured):
        kind = {env.int: "a whole number", env.float: "a number", env.list: "a list"}.get(
            cast, "true or false"
        )
        raise ConfigurationError(variable, f"expected {kind}, got {env.str(variable)!r}") from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _strict_bool(variable, default=None):
    """Like env.bool, but "perhaps" is an error rather than a silent False."""
    raw = env.str(variable, default=None)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"expected true or false, got {raw!r}")


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ConfigurationError("DJANGO_ENV", f"must be development or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = _get("DJANGO_DEBUG", _strict_bool, False)
if PRODUCTION and DEBUG:
    raise ConfigurationError("DJANGO_DEBUG", "must be off when DJANGO_ENV=production")

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if PRODUCTION and (not SECRET_KEY or SECRET_KEY.startswith("django-insecure-")):
    raise ConfigurationError(
        "DJANGO_SECRET_KEY", "production needs a real secret key (50+ random characters)"
    )
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ConfigurationError("DJANGO_SECRET_KEY", "is shorter than 50 characters")
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY

ALLOWED_HOSTS = _get("DJANGO_ALLOWED_HOSTS", env.list, None)
if ALLOWED_HOSTS is None:
    if PRODUCTION:
        raise ConfigurationError("DJANGO_ALLOWED_HOSTS", "is required in production")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# --- Applications -------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "movies",
    "reviews",
    "accounts",
    "lists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 304 for a conditional GET whose ETag or Last-Modified still holds (the page cache
    # sets both on cached pages; other pages get an ETag of their content).
    "django.middleware.http.ConditionalGetMiddleware",
    # Headers on every response, error pages included (config/middleware.py).
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.RetryAfterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a parameter, a cookie or the session: NUL bytes are a 400.
    "config.middleware.RefuseNulBytesMiddleware",
    # Cache-Control: private unless a view (the page cache) said otherwise.
    "config.middleware.PrivateByDefaultMiddleware",
    # Django's, but a session lost to a database outage is a 503, not a 400.
    "config.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_database_url = env.str("DATABASE_URL", default=DEFAULT_SQLITE_URL)
_scheme = _database_url.partition("://")[0]
_SUPPORTED_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
if "://" not in _database_url or _scheme not in _SUPPORTED_SCHEMES:
    known = "postgres://, sqlite:///"
    raise ConfigurationError("DATABASE_URL", f"{_database_url!r} is not a URL we know ({known})")
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown scheme is reported below, once
        _database = environ.Env.db_url_config(_database_url)
except Exception as exc:  # django-environ raises several types for a bad URL
    raise ConfigurationError("DATABASE_URL", f"cannot parse {_database_url!r} ({exc})") from None
if not _database.get("ENGINE"):
    raise ConfigurationError("DATABASE_URL", f"unknown database scheme in {_database_url!r}")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file: WAL lets readers run beside a
    # writer, IMMEDIATE takes the write lock at BEGIN (so a transaction never
    # fails half-way on upgrade) and the busy timeout makes writers queue.
    _database.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            ),
        }
    )
else:
    _database["CONN_MAX_AGE"] = _get("DATABASE_CONN_MAX_AGE", env.int, 60)
    _database["CONN_HEALTH_CHECKS"] = True
    # A database host that stops answering fails fast (and /healthz says so).
    _database.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _get("DATABASE_CONNECT_TIMEOUT", env.int, 5)
    )
    # A pool per worker process (psycopg_pool, Django 5.1+): connections are opened
    # ahead, checked before use and shared by the worker's threads; Django then closes
    # nothing itself, so CONN_MAX_AGE must be 0. Several app servers, each with
    # WEB_CONCURRENCY workers of up to DATABASE_POOL_MAX_SIZE connections, must stay
    # under PostgreSQL's max_connections (docs/production.md; or PgBouncer instead).
    if _get("DATABASE_POOL", _strict_bool, False):
        _pool_min = _get("DATABASE_POOL_MIN_SIZE", env.int, 1)
        _pool_max = _get("DATABASE_POOL_MAX_SIZE", env.int, 4)
        if not 0 <= _pool_min <= _pool_max or _pool_max < 1:
            raise ConfigurationError(
                "DATABASE_POOL_MAX_SIZE",
                f"needs 0 <= DATABASE_POOL_MIN_SIZE ({_pool_min}) <= max ({_pool_max}), max >= 1",
            )
        _database["CONN_MAX_AGE"] = 0
        _database["OPTIONS"]["pool"] = {
            "min_size": _pool_min,
            "max_size": _pool_max,
            # Seconds a request waits for a free connection before it fails (a 503).
            "timeout": _get("DATABASE_POOL_TIMEOUT", env.float, 10.0),
        }
        # (CONN_HEALTH_CHECKS above makes Django give the pool its check_connection: a
        # connection broken by a database restart is replaced before it is lent.)
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------

# Shared by every gunicorn worker and app server: the database by default
# (`createcachetable` runs with the migrations), Redis in production.
_cache_url = env.str("CACHE_URL", default="dbcache://django_cache")
try:
    CACHES = {"default": environ.Env.cache_url_config(_cache_url)}
except Exception as exc:
    raise ConfigurationError("CACHE_URL", f"cannot parse {_cache_url!r} ({exc})") from None
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Django's default of 300 entries would cull the page cache (movies/pagecache.py)
    # every few pages; a CACHE_URL option (?max_entries=) still wins.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same backend, without a new redis client object per call (config/cache.py).
    CACHES["default"]["BACKEND"] = "config.cache.RedisCache"

# The page cache (movies/pagecache.py, docs/performance.md#the-page-cache): anonymous
# readers' pages from the shared cache, invalidated by generation when what they show
# changes. PAGE_CACHE_SECONDS bounds how long an entry is kept (a safety net: writes
# invalidate at once); the two MAX_AGEs are what browsers and a CDN may keep a page.
PAGE_CACHE = _get("PAGE_CACHE", _strict_bool, True)
PAGE_CACHE_SECONDS = _get("PAGE_CACHE_SECONDS", env.int, 600)
PAGE_CACHE_MAX_AGE = _get("PAGE_CACHE_MAX_AGE", env.int, 60)
PAGE_CACHE_CDN_MAX_AGE = _get("PAGE_CACHE_CDN_MAX_AGE", env.int, 60)
# Compress cached anonymous pages in the app (off when the proxy compresses).
PAGE_CACHE_GZIP = _get("PAGE_CACHE_GZIP", _strict_bool, True)
# Honour `X-Page-Cache: bypass` (the benchmark's uncached runs); never in production.
PAGE_CACHE_ALLOW_BYPASS = _get("PAGE_CACHE_ALLOW_BYPASS", _strict_bool, False)

# --- Background tasks ---------------------------------------------------------

# django-tasks (the backport of Django 6's django.tasks). The default keeps tasks in the
# database and `manage.py db_worker` runs them (`make run` starts one beside gunicorn), so
# no other server is needed; docs/operations.md says when to choose another backend.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Auth ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",  # the admin's login
    "allauth.account.auth_backends.AuthenticationBackend",  # login by username or email
]
AUTH_PASSWORD_VALIDATORS = [
    # Refuses a password of spaces alone, and one too long to be typed (accounts/passwords.py).
    {"NAME": "accounts.passwords.TypeablePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One password-reset, unknown-account or address-in-use mail per address per window.
ACCOUNT_MAIL_THROTTLE_SECONDS = _get("ACCOUNT_MAIL_THROTTLE_SECONDS", env.int, 15 * 60)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth (accounts/): sign-up, login, logout, password reset and change, email
# addresses. Policy hooks live in accounts/adapters.py.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_ALLOW_REGISTRATION = _get("ACCOUNT_ALLOW_REGISTRATION", _strict_bool, True)
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
# "strict": signing up with an address another account uses succeeds like a fresh one
# (the owner is mailed, accounts/adapters.py), so sign-up never reveals which addresses
# have accounts; password reset answers the same page for any address.
ACCOUNT_PREVENT_ENUMERATION = "strict"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Worth Watching] "
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
}
# allauth's per-action limits (cache-backed, answered by templates/429.html), in its
# syntax "amount/period/per" with per = ip (client address) or key (the email or login
# typed). Failed logins are django-axes' (below), so "login_failed" is off here: one
# lockout rule, per address and per account.
ACCOUNT_RATE_LIMITS = {
    "signup": _get("RATE_LIMIT_SIGNUP", env.str, "5/h/ip"),
    # Sign-ups naming one email address, from any client (accounts.views.SignupView).
    "signup_email": _get("RATE_LIMIT_SIGNUP_EMAIL", env.str, "3/h/key"),
    # Per account, failed logins are axes' LOGIN_FAILURE_LIMIT_PER_ACCOUNT.
    "login": _get("RATE_LIMIT_LOGIN", env.str, "30/m/ip"),
    "reset_password": _get("RATE_LIMIT_PASSWORD_RESET", env.str, "10/h/ip,3/h/key"),
    "login_failed": None,
}

# django-axes keeps only what allauth does not cover: failed-login lockouts for every
# login form, the admin's included (allauth's limits guard only its own views), kept in
# the database for the cool-off time (hours, not a cache window) and listed and reset in
# the admin. It sees allauth's logins too: they authenticate through django.contrib.auth.
# Limits per account-and-address pair, per account and per address (accounts/lockout.py).
AXES_FAILURE_LIMIT = _get("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = _get("AXES_COOLOFF_HOURS", env.float, 1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "accounts.lockout.PerParameterLimitHandler"
# allauth's form posts "login" (a username or an email); the admin's posts "username".
AXES_USERNAME_CALLABLE = "accounts.lockout.login_name"
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = _get("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", env.int, 20)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = _get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", env.int, 50)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
# The client's address, for every limit: allauth's reading of X-Forwarded-For with the
# number of proxies we trust (ALLAUTH_TRUSTED_PROXY_COUNT, set under Security below),
# which axes uses too, so one setting decides it everywhere.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
if not MEDIA_URL.endswith("/"):
    raise ConfigurationError("DJANGO_MEDIA_URL", f"must end with a slash, got {MEDIA_URL!r}")
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploads: the MEDIA_ROOT folder (one server, or a folder every server mounts) or an
# S3-compatible bucket shared by every app server (django-storages on boto3). Upload
# names carry a hash of their content (movies/images.py), and a name already taken gets
# another, so no server ever overwrites or deletes a file another server wrote.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not _bucket:
        raise ConfigurationError("AWS_STORAGE_BUCKET_NAME", "is required with MEDIA_STORAGE=s3")
    # The access keys are boto3's own AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the
    # machine's role): django-storages hands them over untouched.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Pages link the files where readers fetch them: a CDN or the proxy's /media/
            # ("media.example.com" or "worthwatching.example/media"), else the bucket.
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "url_protocol": env.str("AWS_S3_URL_PROTOCOL", default="https:"),
            # Posters are public and their names never change meaning: plain URLs that a
            # CDN and browsers may keep for a year, never a taken name overwritten.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    raise ConfigurationError("MEDIA_STORAGE", f"must be local or s3, not {MEDIA_STORAGE!r}")
# Where pages load uploads from, when that is not this origin (CSP's img-src below).
_MEDIA_ORIGINS = []
if "://" in MEDIA_URL:
    _MEDIA_ORIGINS.append("/".join(MEDIA_URL.split("/")[:3]))
if MEDIA_STORAGE == "s3":
    _options = _media_storage["OPTIONS"]
    if _options["custom_domain"]:
        _host = _options["custom_domain"].split("/")[0]
        _MEDIA_ORIGINS.append(f"{_options['url_protocol']}//{_host}")
    elif _options["endpoint_url"]:
        _MEDIA_ORIGINS.append("/".join(_options["endpoint_url"].split("/")[:3]))
    else:
        _MEDIA_ORIGINS.append("https://*.amazonaws.com")
STORAGES = {
    "default": _media_storage,
    # Compressed, content-hashed names served with far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SERVE_MEDIA = _get("DJANGO_SERVE_MEDIA", _strict_bool, not PRODUCTION and MEDIA_STORAGE == "local")
# A replaced or cleared upload is deleted when the change commits (0), or left for
# `manage.py prune_media` to delete once it is this many seconds old: pages already in
# a shared cache or a CDN, or open in a reader's browser, still point at it.
MEDIA_DELETE_REPLACED_AFTER = _get(
    "DJANGO_MEDIA_DELETE_REPLACED_AFTER", env.int, 0 if MEDIA_STORAGE == "local" else 86400
)

# Uploads: refuse large request bodies before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A film's admin form carries ~10 fields per where-to-watch offer; Django's default of
# 1,000 fields would refuse to save a film on sale in more than ~90 country offers.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email --------------------------------------------------------------------

_email_url = env.str("EMAIL_URL", default="consolemail://")
try:
    vars().update(environ.Env.email_url_config(_email_url))
except Exception as exc:
    raise ConfigurationError("EMAIL_URL", f"cannot parse {_email_url!r} ({exc})") from None
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Worth Watching <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where readers write to the editors (corrections, questions): the contact page shows it.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="editors@localhost")

# --- Security -----------------------------------------------------------------

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto. DJANGO_PROXY_COUNT proxies
# append to X-Forwarded-For: the client's address is the entry that many from the end
# (what stands before it, the client wrote itself). Without a proxy, REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
if _get("DJANGO_BEHIND_PROXY", _strict_bool, False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    ALLAUTH_TRUSTED_PROXY_COUNT = _get("DJANGO_PROXY_COUNT", env.int, 1)
CSRF_TRUSTED_ORIGINS = _get("DJANGO_CSRF_TRUSTED_ORIGINS", env.list, [])
SECURE_SSL_REDIRECT = _get("DJANGO_SECURE_SSL_REDIRECT", _strict_bool, PRODUCTION)
SECURE_HSTS_SECONDS = _get("DJANGO_SECURE_HSTS_SECONDS", env.int, 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _get(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", _strict_bool, PRODUCTION
)
SECURE_HSTS_PRELOAD = _get("DJANGO_SECURE_HSTS_PRELOAD", _strict_bool, PRODUCTION)
SESSION_COOKIE_SECURE = _get("DJANGO_SECURE_COOKIES", _strict_bool, PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if PRODUCTION and SESSION_COOKIE_SECURE:
    # The browser keeps a __Host- cookie only if it is Secure, has Path=/ and no Domain:
    # a sibling subdomain or a plain-http page cannot plant or overwrite it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
# An idle limit: a session ends after SESSION_COOKIE_AGE seconds without a visit. A
# signed-in request pushes the expiry forward when the last push is SESSION_REFRESH_SECONDS
# old (config.middleware.SessionMiddleware): one session write per reader every few
# minutes, not one per page (0: every request; the limit is then exact).
SESSION_COOKIE_AGE = _get("DJANGO_SESSION_IDLE_SECONDS", env.int, 3 * 24 * 3600)
SESSION_REFRESH_SECONDS = _get("DJANGO_SESSION_REFRESH_SECONDS", env.int, 300)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp): nothing inline, everything from this origin.
# The admin needs nothing more (its scripts and styles are files; tests/e2e prove it).
# DJANGO_CSP_REPORT_ONLY=true sends the same policy as report-only, to try a change.
_CSP = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
if _get("DJANGO_CSP_REPORT_ONLY", _strict_bool, False):
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = None, _CSP
else:
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP, None
# Browser features no page uses, refused for us and anything we embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}
# What a 429 says when the view did not say when to come back: the longest any of the
# site's limits holds (the login cool-off, the hourly review limit).
RETRY_AFTER_SECONDS = _get("DJANGO_RETRY_AFTER_SECONDS", env.int, 3600)

# --- Logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}

# --- Worth Watching -----------------------------------------------------------

# `make bench` only: mounts /_bench/bare, a view that does nothing behind the whole
# middleware stack, the ceiling every page is measured against (benchmarks/pages.py).
BENCH_BARE_VIEW = _get("DJANGO_BENCH_BARE_VIEW", _strict_bool, False)
if PRODUCTION and BENCH_BARE_VIEW:
    raise ConfigurationError("DJANGO_BENCH_BARE_VIEW", "is for benchmarks, not production")

SITE_NAME = "Worth Watching"
# Country names as readers say them, not the ISO list's formal ones.
COUNTRIES_OVERRIDE = {"US": "United States", "BS": "Bahamas"}
# Where-to-watch country when the browser's Accept-Language names none we know.
DEFAULT_COUNTRY = env.str("DEFAULT_COUNTRY", default="US").upper()
# Worldwide gross / budget at which a film is taken to break even.
BREAK_EVEN_MULTIPLE = _get("BREAK_EVEN_MULTIPLE", env.float, 2.5)
# "Is it worth watching?" thresholds on the /10 rating.
WORTH_YES_MIN_RATING = _get("WORTH_YES_MIN_RATING", env.float, 7.0)
WORTH_MAYBE_MIN_RATING = _get("WORTH_MAYBE_MIN_RATING", env.float, 5.5)
# Fewer audience ratings than this: the page says there is too little data.
MIN_RATINGS_FOR_VERDICT = _get("MIN_RATINGS_FOR_VERDICT", env.int, 5)
# Fewer audience ratings than this: no aggregateRating in the page's JSON-LD (search
# engines show it as stars; a handful of votes is not a rating worth showing).
JSONLD_MIN_RATINGS = _get("JSONLD_MIN_RATINGS", env.int, 5)

# The admin's import screen (movies/admin_import.py, docs/importing.md): the largest file
# it takes, and from how many films a confirmed import runs as a background task.
IMPORT_MAX_UPLOAD_MB = _get("IMPORT_MAX_UPLOAD_MB", env.int, 20)
IMPORT_BACKGROUND_ROWS = _get("IMPORT_BACKGROUND_ROWS", env.int, 500)

# --- Reviews (reviews/) ------------------------------------------------------

# The score S = (v·R + k·E) / (v + k) (movies/verdicts.py, docs/verdicts.md): k is how
# many of our readers' ratings the outside consensus E weighs as much as.
SCORE_OUTSIDE_WEIGHT = _get("SCORE_OUTSIDE_WEIGHT", env.float, 10.0)
if SCORE_OUTSIDE_WEIGHT <= 0:
    raise ConfigurationError("SCORE_OUTSIDE_WEIGHT", "must be above 0")
# m: without outside evidence the prior is the site mean C, weighing as much as m ratings.
WEIGHTED_RATING_MIN_VOTES = _get("WEIGHTED_RATING_MIN_VOTES", env.int, 10)
# Spam limit: new reviews a reader may post per hour (more get a 429 and a form error).
REVIEWS_PER_HOUR = _get("REVIEWS_PER_HOUR", env.int, 10)
# A written review needs at least this many characters (at most 10,000).
REVIEW_MIN_LENGTH = _get("REVIEW_MIN_LENGTH", env.int, 100)
# Written reviews from accounts younger than this many days wait for an editor (0: never).
REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS = _get("REVIEWS_MODERATE_NEW_ACCOUNTS_DAYS", env.int, 7)
# Open reports that send a published review back to moderation, counting only reports
# from accounts with a confirmed email older than REVIEWS_REPORT_MIN_ACCOUNT_DAYS (and
# staff). Editors see every report.
REVIEWS_REPORT_THRESHOLD = _get("REVIEWS_REPORT_THRESHOLD", env.int, 3)
REVIEWS_REPORT_MIN_ACCOUNT_DAYS = _get("REVIEWS_REPORT_MIN_ACCOUNT_DAYS", env.int, 14)
# A rating counts in a film's aggregate once its author has confirmed an email address
# (allauth's verification); until then it is stored and counts on confirmation.
RATINGS_NEED_CONFIRMED_EMAIL = _get("RATINGS_NEED_CONFIRMED_EMAIL", _strict_bool, True)
