"""Settings for Operations Canvas.

Everything comes from the environment with safe development defaults.
Production: set DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
(optionally) DATABASE_URL and EMAIL_HOST (mail goes over SMTP, to localhost:25 when it is not
set); `python manage.py check --deploy` then passes. DJANGO_EMAIL_CONSOLE=true prints mail on
the console instead, which check --deploy reports (mail.E001).
"""

import os
from pathlib import Path

from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "canvas",
]

MIDDLEWARE = [
    "canvas.middleware.RequestLogMiddleware",  # first: one JSON line per request, timed
    "canvas.middleware.BidiControlMiddleware",  # no bidi override reaches a page
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # last, so that it sees a view's exception first: locked or read-only database -> 503
    "canvas.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "canvas.urls"
WSGI_APPLICATION = "canvas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions, busy timeout) is the embedded default;
# DATABASE_URL selects PostgreSQL (psycopg 3).
if env("DATABASE_URL"):
    import dj_database_url

    # Persistent connections (one per gunicorn worker), checked before reuse.
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL"), conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60)
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})
    if env("DATABASE_TEST_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = env("DATABASE_TEST_NAME")
else:
    # How long a write waits for a locked database before it fails (seconds).
    SQLITE_BUSY_TIMEOUT = envint("SQLITE_BUSY_TIMEOUT", 20)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000};"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login rate limit (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The invitation page signs people in: its token must not reach axes' log lines or its
# path_info columns, so axes stores the path as the request log does ("/invitations/[redacted]/").
AXES_HANDLER = "canvas.axes.RedactingDatabaseHandler"

# --- security ---------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "canvas.views.errors.csrf_failure"  # the app's page: reload, sign in again
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_BEHIND_PROXY", False) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a decision for the operator

# Strict Content-Security-Policy (Django's built-in CSP): scripts only from our own
# origin with a per-request nonce, no inline handlers, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- i18n / static ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- email ------------------------------------------------------------------------
# Development (DEBUG on, no EMAIL_HOST) prints mail on the console. Production sends it over
# SMTP: to EMAIL_HOST, or to a local mail server on localhost:25 (Django's own default) when
# EMAIL_HOST is not set. DJANGO_EMAIL_CONSOLE=true prints it instead (make serve on loopback).
if envbool("DJANGO_EMAIL_CONSOLE", DEBUG and not env("EMAIL_HOST")):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
elif env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER") or None,
                "password": env("EMAIL_HOST_PASSWORD") or None,
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25, "use_tls": False, "timeout": 10},
        }
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Operations Canvas <canvas@localhost>")

# --- PDF --------------------------------------------------------------------------
# Each PDF is rendered once, by the background worker, in a child process that is killed
# after PDF_TIME_LIMIT_SECONDS and replaced after PDF_RENDERS_PER_PROCESS renders; the
# files go to the default storage (STORAGES["default"]: MEDIA_ROOT/pdfs/, or S3 through
# django-storages). `manage.py prune_pdfs` keeps the last PDF_KEEP_PER_VENTURE per venture.
PDF_TIME_LIMIT_SECONDS = envint("PDF_TIME_LIMIT_SECONDS", 60)
PDF_RENDERS_PER_PROCESS = envint("PDF_RENDERS_PER_PROCESS", 50)
PDF_KEEP_PER_VENTURE = envint("PDF_KEEP_PER_VENTURE", 20)
# /healthz answers 503 when the worker's heartbeat is older than this, or a task has
# waited in the queue longer than that.
WORKER_SILENT_SECONDS = envint("WORKER_SILENT_SECONDS", 60)
TASK_WAIT_SECONDS = envint("TASK_WAIT_SECONDS", 300)

# --- background tasks (django.tasks; database-backed queue from django-tasks-db) ----
# Run the worker with `python manage.py worker` (django-tasks-db's db_worker with a heartbeat;
# scripts/with-worker keeps it up; add --batch to drain the queue and exit).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- logging ----------------------------------------------------------------------
# canvas.request writes one JSON line per request (canvas/middleware.py) to stderr;
# DJANGO_REQUEST_LOG_LEVEL=WARNING keeps only 4xx/5xx lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
        "json": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "canvas.request": {
            "handlers": ["requests"],
            "level": env("DJANGO_REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # the request log already has one line per request, 4xx/5xx included
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
