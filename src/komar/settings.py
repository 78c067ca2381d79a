"""Komar settings: one module, driven by environment variables.

Environment (all optional unless marked):
  KOMAR_DEMO=1            demo mode (set by `make demo`): generated secret key, 2FA as a banner
  KOMAR_DEBUG=1           development mode (Django debug pages); never in production
  KOMAR_ENV=test          set by the test suite
  KOMAR_SECRET_KEY        required in production
  KOMAR_FIELD_KEYS        required in production: Fernet key(s) encrypting children's identities
  KOMAR_BLIND_INDEX_KEY   required in production: key of the duplicate-detection index
  KOMAR_CASE_RETENTION_DAYS  closed cases are anonymised after this many days (1825)
  KOMAR_DATA_DIR          where the SQLite database, secret key and uploads live (default ./var)
  KOMAR_DATABASE_URL      e.g. postgres://komar:pw@db.example.org:5432/komar (default: SQLite)
  KOMAR_ALLOWED_HOSTS     comma-separated host names (production)
  KOMAR_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://komar.example.org
  KOMAR_BEHIND_TLS_PROXY=1    trust X-Forwarded-Proto from the reverse proxy
  KOMAR_LANGUAGE_CODE     default interface language for visitors without a preference (km)
  KOMAR_SESSION_IDLE_MINUTES  signed-in sessions end after this much inactivity (30)
  KOMAR_EMAIL_HOST, KOMAR_EMAIL_PORT, KOMAR_EMAIL_HOST_USER, KOMAR_EMAIL_HOST_PASSWORD,
  KOMAR_EMAIL_USE_TLS, KOMAR_DEFAULT_FROM_EMAIL   SMTP (default: e-mail printed to the console)
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent  # src/komar
PROJECT_ROOT = BASE_DIR.parent.parent
_default_data_dir = (
    PROJECT_ROOT / "var" if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd() / "var"
)
DATA_DIR = Path(os.environ.get("KOMAR_DATA_DIR") or _default_data_dir).resolve()

DEMO = env_bool("KOMAR_DEMO")
DEBUG = env_bool("KOMAR_DEBUG")
TESTING = os.environ.get("KOMAR_ENV") == "test"
PRODUCTION = not (DEMO or DEBUG or TESTING)


def _secret_key() -> str:
    key = os.environ.get("KOMAR_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "KOMAR_SECRET_KEY must be set in production (or set KOMAR_DEMO=1 for a local demo)."
        )
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _local_key(env_name: str, file_name: str, make: Callable[[], str]) -> str:
    """A key from the environment; in demo, development and tests one kept under DATA_DIR."""
    value = os.environ.get(env_name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set in production.")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / file_name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# Children's identifying fields are encrypted with these Fernet keys (comma-separated; the first
# encrypts, all decrypt), never derived from SECRET_KEY. Rotate: put a new key first, run
# `komar rotatekeys`, then drop the old one. Generate one with `komar rotatekeys --new-key`.
KOMAR_FIELD_KEYS = [
    k.strip()
    for k in _local_key("KOMAR_FIELD_KEYS", "field-keys", _fernet_key).split(",")
    if k.strip()
]
# Key of the blind index used to find duplicate children without storing their names in clear.
KOMAR_BLIND_INDEX_KEY = _local_key(
    "KOMAR_BLIND_INDEX_KEY", "blind-index-key", lambda: secrets.token_urlsafe(48)
)

ALLOWED_HOSTS = env_list("KOMAR_ALLOWED_HOSTS") or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("KOMAR_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "komar.core",
    "komar.accounts",
    "komar.audit",
    "komar.geo",
    "komar.organisations",
    "komar.places",
    "komar.statistics",
    "komar.notifications",
    "komar.cases",
    "komar.commitments",
    "komar.statements",
    "komar.participation",
    "komar.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "komar.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "komar.audit.middleware.AuditContextMiddleware",
    "komar.core.access.AccessPolicyMiddleware",
    "komar.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "komar.urls"
WSGI_APPLICATION = "komar.wsgi.application"
ASGI_APPLICATION = "komar.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "komar.core.context_processors.komar",
                "komar.accounts.context_processors.permissions",
                "komar.notifications.context_processors.notifications",
            ],
        },
    }
]

# Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("KOMAR_DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections in production; none in tests (live-server threads would leak them).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "komar.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "komar.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts are created by organisation admins, not self-signup
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Komar] "
# Failed logins are counted and locked out by django-axes (one mechanism, one place to look).
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Komar"
MFA_RECOVERY_CODE_COUNT = 10

AXES_FAILURE_LIMIT = int(os.environ.get("KOMAR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "komar.accounts.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("KOMAR_BEHIND_TLS_PROXY") else None

# Sessions: an idle session ends after KOMAR_SESSION_IDLE_MINUTES (each request renews it).
SESSION_COOKIE_AGE = int(os.environ.get("KOMAR_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("KOMAR_LANGUAGE_CODE", "km")
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "komar_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

# Static files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
# Uploaded files (evidence in the commitments tracker). Never served directly: views check who
# may read each file and stream it.
MEDIA_ROOT = Path(os.environ.get("KOMAR_MEDIA_ROOT") or DATA_DIR / "media")
KOMAR_EVIDENCE_MAX_BYTES = int(os.environ.get("KOMAR_EVIDENCE_MAX_BYTES") or 10 * 1024 * 1024)

# Children's anonymous feedback form (/voices/): flooding limits, kept in the process's cache
# under an HMAC of the address with a secret that changes daily — never stored.
KOMAR_VOICES_MIN_SECONDS = float(os.environ.get("KOMAR_VOICES_MIN_SECONDS") or 3)
KOMAR_VOICES_PER_CLIENT_HOUR = int(os.environ.get("KOMAR_VOICES_PER_CLIENT_HOUR") or 8)
KOMAR_VOICES_GLOBAL_PER_MINUTE = int(os.environ.get("KOMAR_VOICES_GLOBAL_PER_MINUTE") or 30)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves hashed, compressed files made by `komar collectstatic`.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app's static folders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Background tasks (django-tasks API, database backend: no broker) ------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("KOMAR_TASKS_IMMEDIATE")
        else "django_tasks_db.DatabaseBackend",
    }
}

# E-mail ----------------------------------------------------------------------------------------
if os.environ.get("KOMAR_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["KOMAR_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("KOMAR_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("KOMAR_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("KOMAR_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("KOMAR_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("KOMAR_DEFAULT_FROM_EMAIL", "Komar <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers ------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
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
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = not env_bool("KOMAR_NO_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = int(os.environ.get("KOMAR_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("KOMAR_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("KOMAR_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logging ---------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KOMAR_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Komar -----------------------------------------------------------------------------------------
KOMAR_PAGE_SIZE = 25
KOMAR_API_PAGE_SIZE = 50
KOMAR_BASE_URL = os.environ.get(
    "KOMAR_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
CSRF_FAILURE_VIEW = "komar.core.views.csrf_failure"
# Disclosure control: counts from 1 to threshold-1 are never shown (see komar.core.disclosure).
# The jurisdiction whose legal limits new cases are watched against (cases/data/rules-*.toml).
KOMAR_RULESET = os.environ.get("KOMAR_RULESET", "kh")
# Closed cases are anonymised (identity erased, statistics kept) this many days after closure.
KOMAR_CASE_RETENTION_DAYS = int(os.environ.get("KOMAR_CASE_RETENTION_DAYS", str(5 * 365)))
KOMAR_PUBLIC_THRESHOLD = int(os.environ.get("KOMAR_PUBLIC_THRESHOLD", "10"))
KOMAR_PARTNER_THRESHOLD = int(os.environ.get("KOMAR_PARTNER_THRESHOLD", "5"))
