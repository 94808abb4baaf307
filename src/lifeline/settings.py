"""Lifeline settings: read from the environment only.

Every knob is an environment variable (see docs/operations.md). With nothing set, Lifeline
runs on an embedded SQLite database in ``var/`` and generates its secrets there on first run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envstr(name: str, default: str) -> str:
    """A string from NAME, or from the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def _generated_secret(path: Path, nbytes: int) -> str:
    """Read a secret kept in var/, creating it (mode 0600) on first run."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(nbytes))
    return path.read_text(encoding="ascii").strip()


def database_from_url(url: str, var_dir: Path) -> dict[str, object]:
    """Turn DATABASE_URL into Django's DATABASES entry (sqlite:/// or postgres://)."""
    if not url:
        return _sqlite(var_dir / "lifeline.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        return _sqlite(Path(path[1:] if path.startswith("//") else path) if path else var_dir)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parsed.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "lifeline",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("LIFELINE_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": os.environ.get("LIFELINE_TEST_DB_NAME") or None},
        }
    raise ValueError(f"DATABASE_URL scheme not supported: {parsed.scheme!r}")


def _sqlite(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
            # failing with "database is locked" halfway through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        },
    }


VAR_DIR = Path(os.environ.get("LIFELINE_VAR_DIR") or Path.cwd() / "var").resolve()
KEYS_DIR = VAR_DIR / "keys"

DEBUG = envbool("LIFELINE_DEBUG", False)
SECRET_KEY = envstr("LIFELINE_SECRET_KEY", "") or _generated_secret(KEYS_DIR / "secret_key", 32)
# Keys for personal data: AES-GCM for ID numbers, HMAC for exact lookup. Kept apart from
# SECRET_KEY so that rotating sessions never makes stored ID numbers unreadable.
FIELD_ENCRYPTION_KEY = envstr("LIFELINE_FIELD_KEY", "") or _generated_secret(
    KEYS_DIR / "field_key", 32
)
LOOKUP_HASH_KEY = envstr("LIFELINE_LOOKUP_KEY", "") or _generated_secret(
    KEYS_DIR / "lookup_key", 32
)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("LIFELINE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LIFELINE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI: the API docs page needs no CDN
    "lifeline.core",
    "lifeline.accounts",
    "lifeline.registry",
    "lifeline.screening",
    "lifeline.health",
    "lifeline.workorders",
    "lifeline.passes",
    "lifeline.teams",
    "lifeline.api",
    "lifeline.web",
    "lifeline.demo",
    "lifeline.bench",
]

MIDDLEWARE = [
    "lifeline.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lifeline.urls"
WSGI_APPLICATION = "lifeline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lifeline.web.main_nav.main_nav",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", ""), VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("LIFELINE_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Run uploaded imports inside the upload request instead of on a worker (tests, demos).
LIFELINE_IMPORT_INLINE = envbool("LIFELINE_IMPORT_INLINE", False)

# Sweeps `lifeline worker` runs every --beat seconds (SLA escalation, approval clocks).
LIFELINE_PERIODIC_SWEEPS = [
    "lifeline.workorders.tasks.run_periodic",
    "lifeline.passes.tasks.run_periodic",
    "lifeline.health.tasks.run_periodic",
    "lifeline.screening.services.policies_sweep.run_periodic",
]

# Audit records are appended to one of N hash chains, so that concurrent writers only
# queue behind writers that drew the same chain, never behind the whole city.
AUDIT_CHAINS = envint("LIFELINE_AUDIT_CHAINS", 64)

SMS_BACKEND = os.environ.get("LIFELINE_SMS_BACKEND", "console")

# Route planning: road distances from an OSRM server when set, else straight line x 1.3.
ROUTING_OSRM_URL = os.environ.get("LIFELINE_ROUTING_OSRM_URL", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("LIFELINE_SESSION_AGE", 12 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if envbool("LIFELINE_HTTPS", False):
    SECURE_SSL_REDIRECT = envbool("LIFELINE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("LIFELINE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("LIFELINE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIFELINE_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
