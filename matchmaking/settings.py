"""Ryumon settings, read from the environment (see README, "Configuration")."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from matchmaking.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RYUMON_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for a developer's own machine: changes nothing that matters in production.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
elif not DEBUG and (
    # Django's own measure of a weak key (check --deploy, security.W009), enforced at start-up.
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for DEBUG off: it needs at least 50 characters, 5 of them "
        "different, and no 'django-insecure-' prefix. Generate one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
INTERNAL_IPS = ["127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "profiles",
    "matchmaking",
]
# The benchmarks app (its bench_* commands) exists where the `bench` extra is installed.
if importlib.util.find_spec("locust") is not None:
    INSTALLED_APPS.append("matchmaking.benchmarks")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the request: PostgreSQL cannot store NUL, so refuse it with 400.
    "matchmaking.middleware.RefuseControlCharactersMiddleware",
    "matchmaking.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's language, stored on the account, over the browser's (after Locale).
    "matchmaking.language.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "matchmaking.urls"
WSGI_APPLICATION = "matchmaking.wsgi.application"
ASGI_APPLICATION = "matchmaking.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "matchmaking.firms.access.member_firm",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres://... uses psycopg 3).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ryumon.sqlite3'}")
if not DATABASE_URL.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
_is_sqlite = DATABASE_URL.startswith("sqlite:")
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 0 if _is_sqlite else 60)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=CONN_MAX_AGE,
        # A persistent connection must be checked before reuse, or a restarted server
        # breaks the first request of every worker.
        conn_health_checks=CONN_MAX_AGE > 0,
    )
}
if _is_sqlite:
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every worker (login throttling, API rate limits): the database, unless Redis.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions read from Redis (a database query less on every signed-in page), written
    # through to the database so that a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ryumon_cache",
        }
    }

# Argon2id at OWASP's parameters first (matchmaking/hashers.py: a few tens of ms
# per log-in instead of PBKDF2's ~0.9 s of CPU); the others verify older hashes, which are
# upgraded at the next log-in.
PASSWORD_HASHERS = [
    "matchmaking.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["matchmaking.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_SECONDS = env_int("LOGIN_COOLOFF_SECONDS", 15 * 60, minimum=1)
# Failures for one account from any address, and from one address for any account
# (matchmaking/throttle.py, docs/security.md).
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
# Account mails (sign-up confirmations, password resets, invitations) per day: per firm that
# invites, per recipient address and per client address (docs/security.md).
ACCOUNT_MAIL_LIMIT_PER_FIRM = env_int("ACCOUNT_MAIL_LIMIT_PER_FIRM", 10, minimum=1)
ACCOUNT_MAIL_LIMIT_PER_RECIPIENT = env_int("ACCOUNT_MAIL_LIMIT_PER_RECIPIENT", 5, minimum=1)
ACCOUNT_MAIL_LIMIT_PER_CLIENT = env_int("ACCOUNT_MAIL_LIMIT_PER_CLIENT", 10, minimum=1)

LANGUAGE_CODE = "en"
# Simplified Chinese first: Django maps a bare "zh" in Accept-Language to the first zh-* here
# (zh-CN and zh-SG to zh-hans, zh-TW, zh-HK and zh-MO to zh-hant through its LANG_INFO).
LANGUAGES = [
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "matchmaking" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without a manifest (development, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = STORAGES["staticfiles"]["BACKEND"].startswith("django.")
MEDIA_ROOT = VAR_DIR / "media"

# Email: printed to the console in development, SMTP in production (Django 6.1 MAILERS).
EMAIL_BACKEND_NAME = env_str("EMAIL_BACKEND", "console" if DEBUG else "smtp")
_MAIL_BACKENDS = {
    "console": ("django.core.mail.backends.console.EmailBackend", {}),
    "file": (
        "django.core.mail.backends.filebased.EmailBackend",
        {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))},
    ),
    "smtp": (
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587, minimum=1),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
        },
    ),
}
if EMAIL_BACKEND_NAME not in _MAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be one of {', '.join(_MAIL_BACKENDS)}; got {EMAIL_BACKEND_NAME!r}"
    )
_backend, _options = _MAIL_BACKENDS[EMAIL_BACKEND_NAME]
MAILERS = {"default": {"BACKEND": _backend, "OPTIONS": _options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ryumon <no-reply@ryumon.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security. HTTPS is on outside development: secure cookies, HSTS, redirect to https.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# Background tasks (imports): run at once in the request by default; in production set
# TASKS_BACKEND=database and run `python manage.py db_worker` (django-tasks-db).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}; got {TASKS_BACKEND!r}"
    )
if TASKS_BACKEND == "database":
    INSTALLED_APPS.append("django_tasks_db")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# Bulk import limits (see README, "Curation workspace").
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
# Seconds to read and check one file before it is stopped (a 20,000-row dry run takes about
# 20 s on an idle 2-core VM, several times that under load).
IMPORT_TIME_LIMIT = env_int("IMPORT_TIME_LIMIT", 300, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Matchmaking ranker (README, "Suggestions"). The regional boost multiplies the score of an
# organization outside the metropolitan prefectures by 1 + boost, of a lying dragon by
# 1 + 2 × boost; 0 switches it off for everyone.
try:
    RANKER_REGIONAL_BOOST = float(env_str("RANKER_REGIONAL_BOOST", "0.1"))
except ValueError as _error:
    raise ImproperlyConfigured("RANKER_REGIONAL_BOOST must be a number, e.g. 0.1") from _error
if not 0 <= RANKER_REGIONAL_BOOST <= 1:
    raise ImproperlyConfigured("RANKER_REGIONAL_BOOST must be between 0 and 1.")
# How often a process asks the database whether a newer index exists.
RANKER_RELOAD_SECONDS = env_int("RANKER_RELOAD_SECONDS", 2)
# Rebuild the index (as a background task) when published organizations change.
RANKER_AUTO_REBUILD = env_bool("RANKER_AUTO_REBUILD", default=True)
# Where each machine unpacks the index versions it serves, as files that all its processes
# map (one copy of the arrays per machine, not per worker); the database still says which
# version is served. Empty: every process loads its own copy in memory.
RANKER_INDEX_DIR = env_str("RANKER_INDEX_DIR", str(VAR_DIR / "index"))
# A stored index version is split into database rows of this many bytes (a 1M-organization
# index, about 1.4 GB, is more than one SQLite or PostgreSQL value may hold).
RANKER_INDEX_CHUNK_BYTES = env_int("RANKER_INDEX_CHUNK_BYTES", 16 * 2**20, minimum=1)
if RANKER_INDEX_CHUNK_BYTES > 1_000_000_000:
    raise ImproperlyConfigured(
        "RANKER_INDEX_CHUNK_BYTES must be at most 1000000000 (SQLite's and PostgreSQL's"
        " largest value)."
    )
# Edited organizations go into a delta segment until it holds this many; then a full rebuild.
RANKER_DELTA_LIMIT = env_int("RANKER_DELTA_LIMIT", 500)
# Before the first index is stored, a directory up to this many published organizations is
# indexed within the request that needs it; a larger one by the background worker.
RANKER_FIRST_BUILD_LIMIT = env_int("RANKER_FIRST_BUILD_LIMIT", 5000, minimum=0)
# Requests per minute per client address on /api/v1/.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 60, minimum=1)

# Introductions brokered by prefecture staff (see README, "Introductions").
INTRODUCTION_OPEN_LIMIT = env_int("INTRODUCTION_OPEN_LIMIT", 20, minimum=1)
INTRODUCTION_DAILY_LIMIT = env_int("INTRODUCTION_DAILY_LIMIT", 10, minimum=1)
INTRODUCTION_STALE_DAYS = env_int("INTRODUCTION_STALE_DAYS", 10, minimum=1)
# Meeting proposals and reschedules per introduction, over its life (each mails both sides).
MEETING_PROPOSAL_LIMIT = env_int("MEETING_PROPOSAL_LIMIT", 10, minimum=1)
