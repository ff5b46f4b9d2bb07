"""Baton settings: one module, every value read from the environment.

With no environment at all Baton runs on SQLite with an embedded Celery
broker (kombu's filesystem transport), so nothing but Python is needed.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS
and leaves DEBUG off. README.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Runtime files (SQLite database, embedded broker queue, beat schedule).
VAR_DIR = BASE_DIR / env.str("BATON_VAR_DIR", default="var")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "teams",
    "reviews",
    "playbook",
    "recognition",
    "insights",
    "integrations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    "core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.audit.AuditRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.ErrorPagesMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.roles",
                "integrations.context_processors.nav",
            ],
        },
    },
]

# Database: DATABASE_URL, default a SQLite file under var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'baton.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server, the worker and beat
    # share one SQLite file without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file (not memory) so that a real Celery worker started by a test sees it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's default random_page_cost (4) is for spinning disks: on SSDs it makes the
    # planner scan a whole table rather than use an index (the review search's GIN index).
    # Empty behind a pooler that refuses startup options (PgBouncer): set it on the database.
    cost = env.str("PG_RANDOM_PAGE_COST", default="1.1")
    if cost and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={float(cost)}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A form sent with a stale token gets a page of the site (the other error pages: config/urls.py).
CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in guessing: django-axes counts failures per username and address and
# locks that pair out for a while (every authenticate() call goes through it).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files: served by whitenoise in every mode; nothing comes from a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Email: EMAIL_URL (smtp://user:pass@host:587, smtp+tls://..., consolemail://),
# configured as Django 6.1's MAILERS.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in _smtp_options.items() if value not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
# The site's address for links in mail. `make run` (manage.py rundev) sets it to
# the address it serves, so the default only applies to a bare runserver or worker.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Baton <baton@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS hardening: on by default whenever DEBUG is off.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Django REST Framework and the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.paging.CappedPageNumberPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.DjangoFilterBackend",
        "core.filters.SearchFilter",
        "core.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PARSER_CLASSES": [
        "core.errors.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baton API",
    "DESCRIPTION": "Post-incident reviews of ownership clarity, the escalation playbook and the recognition board.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: they put a link inside each operation's toggle button (a control inside a
    # control). The obsidian code theme keeps highlighted JSON at 4.5:1 contrast or more.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": {"theme": "obsidian"}},
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON only: a form is still read, but a malformed one reads as empty.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "ReviewStateEnum": "reviews.models.ReviewState",
        "ActionStateEnum": "reviews.models.ActionState",
        "RevisionStateEnum": "playbook.models.RevisionState",
        "TaskStateEnum": "playbook.models.TaskState",
        "EntryKindEnum": "reviews.models.EntryKind",
        "ActionKindEnum": "reviews.models.ActionKind",
        "SourceKindEnum": "integrations.models.SourceKind",
        "DeliveryStatusEnum": "integrations.models.DeliveryStatus",
    },
}

# Celery. No CELERY_BROKER_URL: an embedded filesystem broker under var/,
# so the worker and beat run with no other server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task whose worker died unacknowledged goes back to the queue after
    # CELERY_VISIBILITY_TIMEOUT seconds: keep it above the longest task,
    # retry countdowns included, or a running task is delivered twice.
    _visibility = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 3)),  # how often a worker looks for them
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# Acknowledged after the task ran, redelivered if its worker dies (also the
# defaults of config.celery.BatonTask, which adds retries on transient errors).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task whose worker was lost this many times is parked instead of run again (core/runs.py).
TASK_MAX_LOST_WORKERS = env.int("TASK_MAX_LOST_WORKERS", default=3)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Publishing never blocks a request for long: a broker outage delays work,
# the reconcile tasks pick it up later (see core/tasks.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# The schedule lives in the database (admin → Scheduled jobs); these are the
# defaults created on migrate. See core/scheduler.py.
CELERY_BEAT_SCHEDULER = "core.scheduler:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": env.float("HEARTBEAT_SECONDS", default=30.0)},
    # Reconcile tasks: safe to run often, twice or late.
    "action-item-reminders": {
        "task": "reviews.tasks.send_action_item_reminders",
        "schedule": env.float("REMINDER_SECONDS", default=3600.0),
    },
    "score-reminders": {
        "task": "reviews.tasks.send_score_reminders",
        "schedule": env.float("REMINDER_SECONDS", default=3600.0),
    },
    "recognition-notices": {
        "task": "recognition.tasks.reconcile_notices",
        "schedule": env.float("RECOGNITION_RECONCILE_SECONDS", default=300.0),
    },
    "quarter-snapshot": {
        "task": "insights.tasks.prepare_snapshot",
        "schedule": env.float("SNAPSHOT_SECONDS", default=3600.0),
    },
    "integrations-apply-waiting": {
        "task": "integrations.tasks.apply_waiting",
        "schedule": env.float("INTEGRATIONS_RECONCILE_SECONDS", default=30.0),
    },
    "notifications": {
        "task": "core.tasks.deliver_notifications",
        "schedule": env.float("NOTIFICATION_RECONCILE_SECONDS", default=300.0),
    },
    "notifications-purge": {"task": "core.tasks.purge_notifications", "schedule": 86400.0},
    "webhooks": {"task": "integrations.tasks.send_webhooks", "schedule": env.float("WEBHOOK_SECONDS", default=15.0)},
    "trackers": {"task": "integrations.tasks.sync_trackers", "schedule": env.float("TRACKER_SECONDS", default=120.0)},
    "playbook-quarterly-cycle": {
        "task": "playbook.tasks.reconcile_quarterly_cycle",
        "schedule": env.float("CYCLE_SECONDS", default=3600.0),
    },
}
# The quarterly playbook review: tasks are due this many days into the quarter,
# owners are reminded this many days before.
PLAYBOOK_TASK_DUE_DAYS = env.int("PLAYBOOK_TASK_DUE_DAYS", default=30)
PLAYBOOK_REMINDER_DAYS = env.int("PLAYBOOK_REMINDER_DAYS", default=7)
# Notifications: events of this many seconds go out in one mail per person; the daily digest is
# sent at DIGEST_HOUR (site time zone); the inbox keeps read and sent ones NOTIFICATION_KEEP_DAYS.
NOTIFICATION_BATCH_SECONDS = env.int("NOTIFICATION_BATCH_SECONDS", default=60)
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
NOTIFICATION_KEEP_DAYS = env.int("NOTIFICATION_KEEP_DAYS", default=90)
# A review is in scoring this many days without someone's scores before they are reminded.
SCORE_REMINDER_DAYS = env.int("SCORE_REMINDER_DAYS", default=3)
# Slack: a bot token (xoxb-…, scopes chat:write, users:read, users:read.email) turns on Slack as a
# channel; publications and recognitions are also posted to these channels when set.
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
SLACK_TIMEOUT = env.int("SLACK_TIMEOUT", default=10)
SLACK_RATE_LIMIT_RETRIES = env.int("SLACK_RATE_LIMIT_RETRIES", default=3)
SLACK_REVIEWS_CHANNEL = env.str("SLACK_REVIEWS_CHANNEL", default="")
SLACK_KUDOS_CHANNEL = env.str("SLACK_KUDOS_CHANNEL", default="")
# Outgoing webhooks: a message is retried for WEBHOOK_RETRY_HOURS; a subscription failing for
# WEBHOOK_DISABLE_HOURS is switched off. Private, loopback and link-local addresses are refused
# unless WEBHOOKS_ALLOW_PRIVATE (the tests' local receivers).
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_DISABLE_HOURS = env.int("WEBHOOK_DISABLE_HOURS", default=24)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# The engineering tracker for action items (Jira Cloud): the site's address, an account's email
# and API token, the project key and issue type; JIRA_WEBHOOK_SECRET verifies Jira's webhooks.
TRACKER = env.str("TRACKER", default="jira")
JIRA_URL = env.str("JIRA_URL", default="")
JIRA_EMAIL = env.str("JIRA_EMAIL", default="")
JIRA_API_TOKEN = env.str("JIRA_API_TOKEN", default="")
JIRA_PROJECT = env.str("JIRA_PROJECT", default="")
JIRA_ISSUE_TYPE = env.str("JIRA_ISSUE_TYPE", default="Task")
JIRA_WEBHOOK_SECRET = env.str("JIRA_WEBHOOK_SECRET", default="")
JIRA_TIMEOUT = env.float("JIRA_TIMEOUT", default=10.0)
# Recognitions one person may give in 24 hours.
RECOGNITION_DAILY_LIMIT = env.int("RECOGNITION_DAILY_LIMIT", default=5)
# The cache: Redis in production (CACHE_URL=redis://host:6379/1), shared by every process;
# a per-process memory cache otherwise. Every key Baton uses changes when what it holds
# does, so nothing cached is ever older than the last saved change.
_cache = env.cache_url("CACHE_URL", default="locmemcache://baton")
if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _cache["BACKEND"] = "core.cache.ResilientRedisCache"
    # An outage is a miss after a fifth of a second, not a hung request.
    _cache.setdefault("OPTIONS", {}).update(socket_connect_timeout=0.2, socket_timeout=0.5)
CACHES = {"default": _cache}
# Insights figures are cached for this long; any saved change starts a new key.
INSIGHTS_CACHE_SECONDS = env.int("INSIGHTS_CACHE_SECONDS", default=300)
# Rendered parts of pages (the review list, the board) are cached this long at most; any change
# saved through the site starts afresh (core/fragments.py; 0 turns it off).
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=300)
# Lists count their rows exactly up to this many; beyond, PostgreSQL's estimate ("about 9,800").
LIST_COUNT_CAP = env.int("LIST_COUNT_CAP", default=1000)
# Person fields list everyone in a select up to this many people; beyond, a searchable text field.
PEOPLE_SELECT_MAX = env.int("PEOPLE_SELECT_MAX", default=150)
# The organisation's name, on the title page of the performance snapshot's PDF.
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Your organisation")
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
