"""Settings from environment variables, with safe defaults for the embedded (SQLite) mode."""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR", BASE_DIR / "instance"))


def _instance_key(variable: str, filename: str) -> str:
    """A key from the environment variable, else one generated once into instance/<filename>
    (mode 600, created so: the key is never readable by others, not even for a moment)."""
    if key := os.environ.get(variable):
        return key
    path = INSTANCE_DIR / filename
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    return _instance_key("SECRET_KEY", "secret_key")


def _audit_key() -> str:
    """AUDIT_KEY (the audit chain's HMAC key, kept out of the database) from the environment,
    else one generated once into instance/audit_key."""
    return _instance_key("AUDIT_KEY", "audit_key")


def _months_by_kind(text: str) -> dict[str, int]:
    """ "kind=months,kind=months" as a dict; malformed parts are ignored."""
    found: dict[str, int] = {}
    for part in text.split(","):
        kind, _, months = part.partition("=")
        if kind.strip() and months.strip().isdigit() and int(months) > 0:
            found[kind.strip()] = int(months)
    return found


def huey_storage() -> tuple[str, str | None]:
    """Where the job queue keeps its tasks, read from the environment when `portal.jobs` is
    first imported (the huey instance is module-level, so the web server, the worker and the
    tests each decide at start): ("memory", None) with HUEY_IMMEDIATE=1 (tasks run at once, in
    the caller: the tests), ("redis", REDIS_URL) when REDIS_URL is set, else ("sqlite", path)
    with HUEY_SQLITE_PATH or instance/huey.db."""
    if os.environ.get("HUEY_IMMEDIATE") == "1":
        return "memory", None
    if url := os.environ.get("REDIS_URL"):
        return "redis", url
    return "sqlite", os.environ.get("HUEY_SQLITE_PATH") or str(INSTANCE_DIR / "huey.db")


def huey_name() -> str:
    """The queue's name (HUEY_NAME, default "portal"): two portals sharing one Redis need two."""
    return os.environ.get("HUEY_NAME") or "portal"


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Sign-in throttling: failed attempts allowed per account and per address.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    SESSION_COOKIE_NAME = "portal_session"
    REMEMBER_COOKIE_DURATION = timedelta(0)
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {
        "en": "English",
        "zh_Hans": "简体中文",
        "zh_Hant": "繁體中文",
        "ja": "日本語",
        "ko": "한국어",
        "vi": "Tiếng Việt",
    }
    PAGE_SIZE = 25
    # A QA roll-up shows "not enough data" instead of a mean below this many evaluations.
    QA_MIN_EVALUATIONS = int(os.environ.get("QA_MIN_EVALUATIONS", "5"))
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # How long an issued corrective action counts (months), and per kind when set, e.g.
    # CONDUCT_EXPIRY_MONTHS_BY_KIND="verbal_warning=6,final_warning=24".
    CONDUCT_EXPIRY_MONTHS = int(os.environ.get("CONDUCT_EXPIRY_MONTHS", "12"))
    CONDUCT_EXPIRY_MONTHS_BY_KIND = _months_by_kind(
        os.environ.get("CONDUCT_EXPIRY_MONTHS_BY_KIND", "")
    )
    # E-mail (portal/notify/mailer.py): SMTP when SMTP_HOST is set, else one .eml file per
    # message under MAIL_OUTBOX_DIR (the embedded default; "" means kept in memory, for tests).
    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = int(os.environ.get("SMTP_PORT") or "587")
    SMTP_USER = os.environ.get("SMTP_USER") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    SMTP_TLS = (os.environ.get("SMTP_TLS") or "starttls").lower()  # starttls | ssl | none
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT") or "20")
    MAIL_FROM = os.environ.get("MAIL_FROM") or "Performance portal <portal@localhost>"
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR") or str(INSTANCE_DIR / "mail")
    # Links in e-mails are absolute: this is the portal's address as people reach it.
    PORTAL_BASE_URL = (os.environ.get("PORTAL_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    # Uploaded contact files wait here until their import job finishes (web and worker share it).
    CONTACT_IMPORT_DIR = os.environ.get("CONTACT_IMPORT_DIR") or str(INSTANCE_DIR / "imports")
    # Rows per committed batch of a contact import (the counters land with each batch).
    QA_IMPORT_BATCH_SIZE = int(os.environ.get("QA_IMPORT_BATCH_SIZE", "1000"))
    # A running import with no batch for this long is taken to have lost its worker: the
    # every-minute recovery job queues it again (it resumes after the rows already counted).
    JOBS_IMPORT_STALE_SECONDS = int(os.environ.get("JOBS_IMPORT_STALE_SECONDS", "120"))
    TRUST_PROXY = os.environ.get("TRUST_PROXY", "0") == "1"
    # Rendered panels and exports (portal/cache.py): in Redis when REDIS_URL is set, else in
    # each process; keyed by the data's versions, so a write shows on the next request.
    CACHE_PANELS = os.environ.get("CACHE_PANELS", "1") != "0"
    CACHE_TTL_SECONDS = int(os.environ.get("CACHE_TTL_SECONDS", "600"))
    CACHE_MAX_ENTRIES = int(os.environ.get("CACHE_MAX_ENTRIES", "500"))
    CACHE_PREFIX = os.environ.get("CACHE_PREFIX") or f"{huey_name()}:cache:"
    CACHE_CLOCK_SECONDS = int(os.environ.get("CACHE_CLOCK_SECONDS", "300"))
    # Each process remembers a session's signed-in lookup under the data versions it was read
    # under (portal/auth/session_cache.py); REMEMBER_SESSIONS=0 reads it on every request.
    REMEMBER_SESSIONS = os.environ.get("REMEMBER_SESSIONS", "1") != "0"
    # `flask audit checkpoint` appends the audit chain's head here; `flask audit verify` reads it.
    AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE") or str(
        INSTANCE_DIR / "audit_checkpoints"
    )

    @property
    def SECRET_KEY(self) -> str:  # noqa: N802 - Flask reads this name
        return _secret_key()

    @property
    def AUDIT_KEY(self) -> str:  # noqa: N802 - read like the other settings
        return _audit_key()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # type: ignore[assignment]
    AUDIT_KEY = "test-audit-key-not-for-production"  # type: ignore[assignment]
    # No checkpoint file unless a test gives one (tmp_path): never the developer's instance/.
    AUDIT_CHECKPOINT_FILE = ""
    # No e-mail leaves a test unless its fixture points SMTP_HOST at a test server.
    SMTP_HOST = None
    MAIL_OUTBOX_DIR = ""
    # Uploads of the tests' imports: a directory of their own, never the developer's instance/.
    CONTACT_IMPORT_DIR = tempfile.mkdtemp(prefix="portal-test-imports-")
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_FAST = True
    # The demo tests need the shape of the KPI data, not two years of it.
    DEMO_KPI_DAYS = 21
