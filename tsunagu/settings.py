"""Settings for tsunagu.

One settings module, driven by environment variables so that the same code runs
the embedded SQLite demo and a PostgreSQL installation:

- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1/tsunagu``; SQLite under ``var/`` when unset.
- ``TSUNAGU_SECRET_KEY``: required unless ``TSUNAGU_DEBUG=1``.
- ``TSUNAGU_DEBUG``: ``1`` for local development and the demo.
- ``TSUNAGU_ALLOWED_HOSTS``: comma-separated host names.
- ``TSUNAGU_HTTPS``: ``1`` behind a TLS-terminating proxy (secure cookies, HSTS).
- ``TSUNAGU_EMAIL_HOST`` (and ``_PORT``, ``_USER``, ``_PASSWORD``, ``_STARTTLS``,
  ``_FROM``), ``TSUNAGU_BASE_URL``: the mail server for the e-mail notices and the
  address of the system in their links; no host, no mail.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TSUNAGU_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("TSUNAGU_DEBUG") == "1"
SECRET_KEY = os.environ.get("TSUNAGU_SECRET_KEY") or (
    "insecure-development-key-never-used-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("TSUNAGU_SECRET_KEY must be set when TSUNAGU_DEBUG is not 1")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TSUNAGU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
HTTPS = os.environ.get("TSUNAGU_HTTPS") == "1"
# Set by `make demo`: the sign-in page also says that this installation is a demo.
DEMO_NOTICE = os.environ.get("TSUNAGU_DEMO_NOTICE") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "ninja",  # serves its API browser from our static files, not a CDN
    "tsunagu.core",
    "tsunagu.audit",
    "tsunagu.accounts",
    "tsunagu.directory",
    "tsunagu.people",
    "tsunagu.consultations",
    "tsunagu.referrals",
    "tsunagu.cases",
    "tsunagu.meetings",
    "tsunagu.plans",
    "tsunagu.outreach",
    "tsunagu.progress",
    "tsunagu.assessments",
    "tsunagu.resources",
    "tsunagu.participation",
    "tsunagu.lifeevents",
    "tsunagu.community",
    "tsunagu.activities",
    "tsunagu.grants",
    "tsunagu.reports",
    "tsunagu.web",
    "tsunagu.workqueue",
    "tsunagu.frontdoor",
    "tsunagu.appointments",
    "tsunagu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A public host (オンライン相談) gets the public URLs only, no cookie in or out.
    "tsunagu.frontdoor.publichost.PublicHostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every view needs a signed-in user unless it is explicitly marked public.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Before the idle timeout, which tells the staff member why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagu.accounts.middleware.IdleTimeoutMiddleware",
    "tsunagu.core.middleware.TenantMiddleware",
    # A form sent successfully takes its page's drafts with it (inside the tenant).
    "tsunagu.core.drafts.DraftMiddleware",
    "tsunagu.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees a lockout before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tsunagu.urls"
CSRF_FAILURE_VIEW = "tsunagu.web.views.csrf_failure"
WSGI_APPLICATION = "tsunagu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagu.web.context_processors.navigation",
            ],
            "builtins": ["tsunagu.core.templatetags.wareki"],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tsunagu.sqlite3'}",
        conn_max_age=int(os.environ.get("TSUNAGU_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Write-ahead logging lets the page reads go on while one write is in progress.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The test database is UTF-8 whatever the cluster's default encoding.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out user before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "tsunagu.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Staff have a full name and its reading, not Django's first/last name.
        "OPTIONS": {"user_attributes": ("username", "full_name", "full_name_kana", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end when the browser closes, and after the municipality's idle
# minutes (IdleTimeoutMiddleware; 30 by default): shared terminals at a window
# are normal. The cookie age is the upper bound; a municipality may set less.
# A success message says which organization the save was made as.
MESSAGE_STORAGE = "tsunagu.accounts.messages.SavedAsStorage"
SESSION_COOKIE_AGE = int(os.environ.get("TSUNAGU_SESSION_SECONDS", "1800"))
# Saved when it changes: IdleTimeoutMiddleware records the last activity at
# most once in TSUNAGU_LAST_ACTIVITY_RESOLUTION seconds, which also renews the
# store's expiry.
SESSION_SAVE_EVERY_REQUEST = False
TSUNAGU_LAST_ACTIVITY_RESOLUTION = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

# Scripts and styles come from this server only, never inline: htmx is served
# from our static files and configured not to inject its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# django-axes: five failures lock the account and the address for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TSUNAGU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "tsunagu"

# django-tasks: the retention job (tsunagu/core/tasks.py) runs at once in the
# process that enqueues it (`manage.py anonymise_expired --apply`, from cron).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LANGUAGE_CODE = "ja"
# Staff pages are Japanese only (LocaleMiddleware picks from this list). The
# public pages of オンライン相談 choose their language from the URL instead
# (/consult/<lang>/, tsunagu/frontdoor/public.py LANGUAGES).
LANGUAGES = [("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "tsunagu" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries installed from the npm registry by `make`, never committed.
STATICFILES_DIRS = [BASE_DIR / "tsunagu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Application logs carry no personal data: identifiers only. Request logging
# records paths, which hold database ids and never names.
# Error records lose the request Django attaches (with its POST body) and
# the messages of exceptions, which may quote values (tsunagu/core/logfilters.py):
# at the console handler, and where django.request makes them. Django's own
# handlers (mail_admins would send the whole request) give way to the console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "tsunagu.core.logfilters.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_personal_data"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "tsunagu": {"level": "INFO"},
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["no_personal_data"]},
    },
}

# E-mail notices of the work queue (counts and links, never personal data),
# through the municipality's own mail server: with no TSUNAGU_EMAIL_HOST no
# mail is sent at all (the account page says so). TSUNAGU_BASE_URL is the
# address staff open the system at, for the links in the mails.
TSUNAGU_EMAIL_HOST = os.environ.get("TSUNAGU_EMAIL_HOST", "")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = TSUNAGU_EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("TSUNAGU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TSUNAGU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TSUNAGU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("TSUNAGU_EMAIL_STARTTLS") == "1"
EMAIL_TIMEOUT = int(os.environ.get("TSUNAGU_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("TSUNAGU_EMAIL_FROM", "tsunagu@localhost")
TSUNAGU_BASE_URL = os.environ.get("TSUNAGU_BASE_URL", "").rstrip("/") or (
    f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0]}"
)

NINJA_PAGINATION_PER_PAGE = 50
# Pages with a bounded limit and offset (a 30-digit offset was a server error).
NINJA_PAGINATION_CLASS = "tsunagu.core.pagination.LimitOffsetPagination"
# API requests a staff member may make (sessions and tokens together), e.g.
# "600/min" or "10000/hour"; over it the API answers 429 with Retry-After.
TSUNAGU_API_RATE = os.environ.get("TSUNAGU_API_RATE", "600/min")
# Only for bench/audit_workers.py: seal each audit event inside the request's
# transaction, holding the chain's head to its end, as before the sealer.
TSUNAGU_AUDIT_SEAL_INLINE = os.environ.get("TSUNAGU_AUDIT_SEAL_INLINE") == "1"

# オンライン相談: the host that serves the public pages in development, the demo
# and the tests (for the demo municipality, else the first); in production each
# municipality's FrontDoorSettings.public_host. Public hosts are read again
# after this many seconds (None: only when a door's settings are saved).
TSUNAGU_PUBLIC_LOCAL_HOST = os.environ.get(
    "TSUNAGU_PUBLIC_LOCAL_HOST", "localhost" if DEBUG or DEMO_NOTICE else ""
)
TSUNAGU_PUBLIC_HOST_SECONDS: int | None = 60
