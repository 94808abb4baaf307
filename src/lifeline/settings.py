"""Lifeline settings: read from the environment only.

Every knob is an environment variable (see docs/operations.md). With nothing set, Lifeline
runs on an embedded SQLite database in ``var/`` and generates its secrets there on first run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
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


def private_dir(path: Path, *, fix: bool = True) -> Path:
    """``path`` as a folder only its owner may use (0700).

    Missing folders on the way are created 0700 (nobody else had them). An existing ``path``
    has its mode fixed when ``fix`` (Lifeline's own folders), unless it is a filesystem
    root or a shared sticky folder such as /tmp; existing parents are left as they are.
    """
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    shared = path.parent == path or bool(path.stat().st_mode & stat.S_ISVTX)
    if (fix or missing) and not shared:
        _chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Make ``path`` a file only its owner may read (0600), created empty if missing, so
    that whatever writes it next (SQLite) never makes it readable by others."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _chmod(path, 0o600)
    return path


def _chmod(path: Path, mode: int) -> None:
    # Owned by another user: the operator set it up, and its mode is theirs.
    with contextlib.suppress(PermissionError):
        path.chmod(mode)


def _generated_secret(path: Path, nbytes: int) -> str:
    """Read a secret kept in var/, creating it (mode 0600) on first run."""
    if not path.exists():
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(nbytes))
    return path.read_text(encoding="ascii").strip()


def database_from_url(url: str, var_dir: Path) -> dict[str, object]:
    """Turn DATABASE_URL into Django's DATABASES entry (sqlite:/// or postgres://)."""
    if not url:
        return _sqlite(var_dir / "lifeline.sqlite3", var_dir)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        name = Path(path[1:] if path.startswith("//") else path) if path else var_dir
        return _sqlite(name, var_dir)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parsed.query))
        # LIFELINE_DB_POOLER=transaction: the URL names a pooler in transaction mode
        # (PgBouncer), where each transaction may run on another server connection. A
        # server-side cursor (DECLARE) would not survive that, so Django's are off.
        # Prepared statements are off either way (psycopg 3 with Django's client-side
        # binding), and the code keeps no session state (SET LOCAL, never SET).
        pooler = os.environ.get("LIFELINE_DB_POOLER", "").strip().lower()
        if pooler not in {"", "session", "transaction"}:
            raise ValueError(f"LIFELINE_DB_POOLER must be session or transaction: {pooler!r}")
        pooled = pooler == "transaction"
        return {
            "ENGINE": "lifeline.core.postgresql" if pooled else "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "lifeline",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("LIFELINE_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "DISABLE_SERVER_SIDE_CURSORS": pooled,
            "OPTIONS": options,
            "TEST": {"NAME": os.environ.get("LIFELINE_TEST_DB_NAME") or None},
        }
    raise ValueError(f"DATABASE_URL scheme not supported: {parsed.scheme!r}")


def _sqlite(path: Path, var_dir: Path) -> dict[str, object]:
    # Residents' data: the folder 0700 (an existing folder only when it is var/'s: one
    # named in DATABASE_URL may be shared), the file 0600 before SQLite first opens it.
    # SQLite gives its -wal and -shm files the database file's mode; existing ones are
    # fixed too.
    folder = path.parent.resolve()
    private_dir(folder, fix=folder == var_dir or var_dir in folder.parents)
    if not path.is_dir():
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                _chmod(side, 0o600)
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
if VAR_DIR.exists():  # created 0700 by the first key or database written into it
    private_dir(VAR_DIR)

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
    "lifeline.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, named for the admin
    "ninja",  # its bundled Swagger UI: the API docs page needs no CDN
    "csp",
    "lifeline.core",
    "lifeline.accounts",
    "lifeline.registry",
    "lifeline.screening",
    "lifeline.health",
    "lifeline.workorders",
    "lifeline.passes",
    "lifeline.teams",
    "lifeline.supplies",
    "lifeline.volunteers",
    "lifeline.continuity",
    "lifeline.enterprises",
    "lifeline.keyusers",
    "lifeline.counselling",
    "lifeline.command",
    "lifeline.notices",
    "lifeline.api",
    "lifeline.web",
    "lifeline.demo",
    "lifeline.bench",
    "lifeline.cluster",
]

MIDDLEWARE = [
    "lifeline.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lifeline.core.replica.PinAfterWriteMiddleware",
    "lifeline.core.nostore.NoStoreMiddleware",
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
# A streaming replica for reads that may be a moment old (lifeline/core/replica.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    _replica = database_from_url(os.environ["DATABASE_REPLICA_URL"], VAR_DIR)
    _replica["OPTIONS"] = {"connect_timeout": 3, **dict(_replica.get("OPTIONS") or {})}  # type: ignore[call-overload]
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["lifeline.core.replica.ReplicaRouter"]
# Seconds a browser reads from the primary after it wrote; the lag past which the replica
# is not read at all.
LIFELINE_REPLICA_PIN_SECONDS = envint("LIFELINE_REPLICA_PIN_SECONDS", 10)
LIFELINE_REPLICA_MAX_LAG = envint("LIFELINE_REPLICA_MAX_LAG", 30)
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

# Sensitive values (registry/sensitive.py, docs/security.md): per user, per hour and day.
LIFELINE_REVEALS_PER_HOUR = envint("LIFELINE_REVEALS_PER_HOUR", 30)
LIFELINE_REVEALS_PER_DAY = envint("LIFELINE_REVEALS_PER_DAY", 100)
LIFELINE_REVEAL_ALERT_COUNT = envint("LIFELINE_REVEAL_ALERT_COUNT", 10)  # in 10 minutes
LIFELINE_ID_SEARCHES_PER_HOUR = envint("LIFELINE_ID_SEARCHES_PER_HOUR", 10)
LIFELINE_ID_SEARCHES_PER_DAY = envint("LIFELINE_ID_SEARCHES_PER_DAY", 30)

# Failed log-ins and bad API tokens (accounts/lockout.py, docs/security.md), per window.
LIFELINE_LOGIN_WINDOW_MINUTES = envint("LIFELINE_LOGIN_WINDOW_MINUTES", 15)
LIFELINE_LOGIN_FAILURES_PER_USER = envint("LIFELINE_LOGIN_FAILURES_PER_USER", 10)
LIFELINE_LOGIN_FAILURES_PER_ADDRESS = envint("LIFELINE_LOGIN_FAILURES_PER_ADDRESS", 50)
LIFELINE_TOKEN_FAILURES_PER_ADDRESS = envint("LIFELINE_TOKEN_FAILURES_PER_ADDRESS", 30)

# Orders filed from outside (workorders/services/abuse.py, docs/security.md); 0 turns a cap
# off. Each order texts the unit's duty phone, so these also cap those texts.
LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY = envint("LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY", 10)
LIFELINE_RESIDENT_ORDERS_PER_IP_HOUR = envint("LIFELINE_RESIDENT_ORDERS_PER_IP_HOUR", 30)
LIFELINE_OPEN311_ORDERS_PER_IP_HOUR = envint("LIFELINE_OPEN311_ORDERS_PER_IP_HOUR", 0)
# A form order identical to one the same phone filed this many minutes ago is that order.
LIFELINE_RESIDENT_REPEAT_MINUTES = envint("LIFELINE_RESIDENT_REPEAT_MINUTES", 10)

# Donated goods go to the command centre's logistics group, which matches them to needs: a
# pledge to deliver straight to a community or street is refused and the donor pointed to
# the logistics group (docs/supplies.md). True allows direct deliveries.
LIFELINE_DONATIONS_DIRECT = envbool("LIFELINE_DONATIONS_DIRECT", False)

# Sweeps `lifeline worker` runs every --beat seconds (SLA escalation, approval clocks).
LIFELINE_PERIODIC_SWEEPS = [
    "lifeline.workorders.tasks.run_periodic",
    "lifeline.passes.tasks.run_periodic",
    "lifeline.health.tasks.run_periodic",
    "lifeline.supplies.services.needs.run_periodic",
    "lifeline.volunteers.tasks.run_periodic",
    "lifeline.continuity.tasks.run_periodic",
    "lifeline.enterprises.tasks.run_periodic",
    "lifeline.screening.services.policies_sweep.run_periodic",
    "lifeline.core.ratelimit.run_periodic",
    "lifeline.core.audit.checkpoints.run_periodic",
    "lifeline.core.retention.run_periodic",
    "lifeline.core.partitions.run_periodic",
    "lifeline.command.tasks.run_periodic",
    "lifeline.notices.tasks.run_periodic",
    "lifeline.core.task_recovery.run_periodic",
]
# Seconds a background task may stay RUNNING before its worker is taken to be dead and
# the task is queued again (core/task_recovery.py); longer than the longest task. 0: never.
LIFELINE_TASK_RUNNING_LIMIT_SECONDS = envint("LIFELINE_TASK_RUNNING_LIMIT_SECONDS", 3600)

# The command centre's dashboard figures: each app's ``dashboard_figures()`` (see
# command/catalogue.py), refreshed by the command sweep above.
LIFELINE_DASHBOARD_FIGURES = [
    "lifeline.registry.figures.dashboard_figures",
    "lifeline.workorders.figures.dashboard_figures",
    "lifeline.screening.figures.dashboard_figures",
    "lifeline.health.figures.dashboard_figures",
    "lifeline.passes.figures.dashboard_figures",
    "lifeline.teams.figures.dashboard_figures",
    "lifeline.supplies.figures.dashboard_figures",
    "lifeline.volunteers.figures.dashboard_figures",
    "lifeline.continuity.figures.dashboard_figures",
    "lifeline.keyusers.figures.dashboard_figures",
    "lifeline.enterprises.figures.dashboard_figures",
]
# The daily report (docs/command.md): the local time of day it is taken at ("24:00", the
# end of the day), and the CJK font its PDF embeds (a .ttf, or a .ttc with the face's
# number in the collection; scripts/ensure_fonts.sh installs Debian's fonts-noto-cjk).
LIFELINE_DAILY_REPORT_CUTOFF = envstr("LIFELINE_DAILY_REPORT_CUTOFF", "24:00")
LIFELINE_REPORT_FONT = envstr(
    "LIFELINE_REPORT_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)
LIFELINE_REPORT_FONT_INDEX = envint("LIFELINE_REPORT_FONT_INDEX", 2)  # Noto Sans CJK SC

# Public notices: the address residents reach this server at (links in texts, the CAP
# feed's Atom index) and the CAP sender (docs/notices.md).
LIFELINE_PUBLIC_URL = envstr("LIFELINE_PUBLIC_URL", "")
LIFELINE_CAP_SENDER = envstr("LIFELINE_CAP_SENDER", "lifeline@localhost")
# Worker tasks queued when a notice is published: each sends ranges of its households.
LIFELINE_NOTICE_FANOUT_TASKS = envint("LIFELINE_NOTICE_FANOUT_TASKS", 2)
# Planned interruptions' notice counts business days: public holidays and the weekend
# days worked in exchange (调休), ISO dates separated by commas or spaces (docs/keyusers.md).
LIFELINE_KEYUSERS_HOLIDAYS = envstr("LIFELINE_KEYUSERS_HOLIDAYS", "")
LIFELINE_KEYUSERS_WORKDAYS = envstr("LIFELINE_KEYUSERS_WORKDAYS", "")

# Audit records are appended to one of N hash chains, so that concurrent writers only
# queue behind writers that drew the same chain, never behind the whole city.
AUDIT_CHAINS = envint("LIFELINE_AUDIT_CHAINS", 64)
# Each audit record's hash is an HMAC under this key, which is never stored in the
# database: whoever holds only a copy of the database cannot rewrite the log and have it
# verify. Earlier keys stay listed (comma- or space-separated) to verify the records they
# made; see docs/security.md for rotation.
AUDIT_KEY = envstr("LIFELINE_AUDIT_KEY", "") or _generated_secret(KEYS_DIR / "audit_key", 32)
AUDIT_PREVIOUS_KEYS = envstr("LIFELINE_AUDIT_PREVIOUS_KEYS", "").replace(",", " ").split()
# Chain heads are checkpointed to files outside the database, signed with this Ed25519
# seed (32 bytes, hex), so that even a rewrite made with the HMAC key contradicts them.
AUDIT_SIGNING_KEY = envstr("LIFELINE_AUDIT_SIGNING_KEY", "") or _generated_secret(
    KEYS_DIR / "audit_signing_key", 32
)
# Public keys (hex) of earlier signing keys whose checkpoints still count.
AUDIT_TRUSTED_PUBLIC_KEYS = (
    envstr("LIFELINE_AUDIT_TRUSTED_PUBLIC_KEYS", "").replace(",", " ").split()
)
AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("LIFELINE_AUDIT_CHECKPOINT_DIR") or VAR_DIR / "audit-checkpoints"
)
# Seconds between the worker's checkpoints (one line, only when a head has moved).
AUDIT_CHECKPOINT_INTERVAL = envint("LIFELINE_AUDIT_CHECKPOINT_INTERVAL", 300)

# Dotted path of the SMS backend class (core/sms_backends.py); "console" prints the texts.
# The JSON-over-HTTPS gateway is "lifeline.core.sms_backends.HttpJsonBackend".
SMS_BACKEND = os.environ.get("LIFELINE_SMS_BACKEND", "console")
SMS_HTTP_URL = envstr("LIFELINE_SMS_HTTP_URL", "")
SMS_HTTP_KEY = envstr("LIFELINE_SMS_HTTP_KEY", "")
SMS_HTTP_SENDER = envstr("LIFELINE_SMS_HTTP_SENDER", "")
SMS_HTTP_TIMEOUT = envint("LIFELINE_SMS_HTTP_TIMEOUT", 10)  # seconds
# Seconds an outbox claim holds: a dead worker's messages are sent again after it.
LIFELINE_OUTBOX_LEASE_SECONDS = envint("LIFELINE_OUTBOX_LEASE_SECONDS", 600)

# Days each kind of short-lived row is kept (core/retention.py, docs/operations.md); 0 keeps
# them for ever. Pruned by the worker every LIFELINE_PRUNE_EVERY_MINUTES and `lifeline prune`.
LIFELINE_RETENTION_DAYS = {
    "idempotency": envint("LIFELINE_RETAIN_IDEMPOTENCY_DAYS", 7),
    "one_time_codes": envint("LIFELINE_RETAIN_ONE_TIME_CODES_DAYS", 1),
    "task_results": envint("LIFELINE_RETAIN_TASK_RESULTS_DAYS", 14),
    "outbox_sent": envint("LIFELINE_RETAIN_OUTBOX_SENT_DAYS", 30),
    "outbox_failed": envint("LIFELINE_RETAIN_OUTBOX_FAILED_DAYS", 90),
}
LIFELINE_PRUNE_BATCH = envint("LIFELINE_PRUNE_BATCH", 1000)
LIFELINE_PRUNE_EVERY_MINUTES = envint("LIFELINE_PRUNE_EVERY_MINUTES", 60)

# Route planning: road distances from an OSRM server when set, else straight line x 1.3.
ROUTING_OSRM_URL = os.environ.get("LIFELINE_ROUTING_OSRM_URL", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("LIFELINE_SESSION_AGE", 12 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from Lifeline's own files,
# never inline (templates carry no <script> blocks, on*= handlers or style= attributes;
# htmx's eval and injected styles are off in web/base.html). See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # QR codes and Swagger UI's icons are data: SVGs
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if envbool("LIFELINE_HTTPS", False):
    SECURE_SSL_REDIRECT = envbool("LIFELINE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("LIFELINE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("LIFELINE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every handler redacts API keys and tokens (core/log_redaction.py): Open311 clients may
# send ``api_key`` in the query string, which request lines and URLs would otherwise carry.
# Django's own loggers are listed so that its default handlers, which do not redact, are
# replaced (``django.server`` is runserver's request log).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "lifeline.core.log_redaction.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LIFELINE_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
