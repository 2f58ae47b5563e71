"""Candor settings: one module, every environment differs only by its variables.

Each variable is documented in README.md ("Environment variables"). The defaults run
a local copy on SQLite, Celery's filesystem broker and file-based email, with no
service to install.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything a local run writes (database, broker queue, mail, cache) lives here.
VAR_DIR = Path(env_str("CANDOR_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once per install.

    A local run should not need a variable, and must not share a key with every other
    clone either, so the fallback is a random key kept under var/.
    """
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Former keys, comma-separated, while a rotation settles: they still check sessions
# and signed values, and open anonymous answers sealed before the rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# --- HTTPS (`manage.py check --deploy` is clean with HTTPS=true; tests/config/
# test_deploy_check.py keeps it so) ----------------------------------------------------
# The site is served over TLS. A session cookie or CSRF token sent in clear text can
# be read on the network, and with it someone's session: cookies only over HTTPS.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A plain-http request is redirected to https, so that a link typed without the
# scheme never sends a password or an answer in clear. Off when a proxy in front
# already redirects (SECURE_SSL_REDIRECT=false).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Except the health checks: a load balancer or Docker probes them over plain http
# inside the network, and a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
# Behind a proxy that terminates TLS, Django sees http; the proxy says what the
# client used in X-Forwarded-Proto. Trusted only when told so: without such a proxy
# a client could set the header itself and pass for https (README, BEHIND_PROXY).
if env_bool("BEHIND_PROXY", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: once a browser has seen the site over https it never tries http again, so
# no one on the network can strip TLS from a later visit. A year by default with
# HTTPS on (what browsers' preload rules and the deploy check ask for); a few
# minutes while trying HTTPS out, since browsers remember it for max-age.
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0
)
# Candor's own host name and anything under it: nothing under a survey site's
# name should be reachable over http either.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole registrable domain (example.com, not
# candor.example.com) in every browser for good: the organisation's decision, not
# ours. Off unless asked for, and the deploy check's reminder (W021) silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

CANDOR_ORG_NAME = env_str("CANDOR_ORG_NAME", "Candor Demo Org")
# The start of every link in emails (web, workers and commands alike; core/links.py):
# this when set, else the site's address in the database (`manage.py site_address`).
CANDOR_BASE_URL = env_str("CANDOR_BASE_URL", "").rstrip("/")
if CANDOR_BASE_URL and urlsplit(CANDOR_BASE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"CANDOR_BASE_URL={CANDOR_BASE_URL!r}: use http(s)://host[:port], "
        "e.g. https://candor.example.com"
    )
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_standardized_errors",
    "drf_spectacular",
    "config",
    "core",
    "org",
    "surveys",
    "feedback",
    "dashboards",
    "api",
    "demo",
    "home",
]

MIDDLEWARE = [
    # First: one log line per request, timing everything below (config/requestlog.py).
    "config.requestlog.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for too many failures into our lockout page.
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
                "config.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'candor.sqlite3'}")
if urlsplit(DATABASE_URL).scheme not in ("sqlite", "postgres", "postgresql"):
    raise ImproperlyConfigured(
        f"DATABASE_URL={DATABASE_URL!r}: use postgres://user@host:5432/name "
        "or sqlite:////absolute/path.sqlite3"
    )
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, and
    # take the write lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side prepared statements: PostgreSQL plans a statement once per
    # connection and reuses the plan, instead of parsing and planning every query
    # afresh. The answering page's link lookup joins six tables; planning it cost
    # more than running it (PostgreSQL's CPU per page 3.2 ms, prepared 0.5 ms;
    # benchmarks/answering.py). Prepared after the second use of a statement.
    # Behind a pooler in transaction mode older than PgBouncer 1.21 (no protocol-
    # level prepared statements), set DB_PREPARE_THRESHOLD=0 to turn them off.
    _prepare = env_int("DB_PREPARE_THRESHOLD", 2)
    if _prepare > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare
        )
# A read replica (PostgreSQL streaming replication) for the dashboards, their CSVs
# and the API's dashboard numbers: they aggregate answers by the million and may be
# a few seconds behind; every other read and every write stays on the primary
# (core/replica.py). Unset: everything on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_READ_REPLICA: str | None = None
if DATABASE_REPLICA_URL:
    if urlsplit(DATABASE_REPLICA_URL).scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL={DATABASE_REPLICA_URL!r}: use "
            "postgres://user@host:5432/name (a replica of DATABASE_URL)"
        )
    DATABASES["replica"] = {
        **environ.Env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        # Tests use the primary's test database for it.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_READ_REPLICA = "replica"
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by web and workers: rate limits, worker heartbeat) ---------------
CACHE_URL = env_str("CACHE_URL", f"filecache://{VAR_DIR / 'cache'}")
try:
    CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
except Exception as exc:
    raise ImproperlyConfigured(f"CACHE_URL is not a cache URL: {exc}") from exc
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, with one Redis client per pool instead of one per call (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.RedisCache"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockouts (django-axes): AXES_FAILURE_LIMIT wrong passwords for one account
# from one address, each within AXES_COOLOFF_MINUTES of the last, pause that account
# from that address for AXES_COOLOFF_MINUTES; others, and the same person elsewhere,
# are unaffected. A superuser lifts it in the admin or with `axes_reset`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 60, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "org.services.signin.signin_username"
AXES_LOCKOUT_CALLABLE = "org.views.signin_locked_out"
AXES_RESET_ON_SUCCESS = True
# Trying again while paused does not extend the pause, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No record of successful sign-ins: their times could be set beside anonymous posts.
AXES_DISABLE_ACCESS_LOG = True
# Password-reset emails asked for from one client address per hour.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", f"filemail://{VAR_DIR / 'mail'}")
try:
    _email = environ.Env.email_url_config(EMAIL_URL)
except Exception as exc:
    raise ImproperlyConfigured(f"EMAIL_URL is not an email URL: {exc}") from exc
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    # Ours knows where in the SMTP conversation a send failed, so an email the
    # server may have stored is never sent twice (core/smtp.py).
    EMAIL_BACKEND = "core.smtp.EmailBackend"
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# django-environ drops the leading slash of filemail:///abs/path; keep it absolute.
EMAIL_FILE_PATH = urlsplit(EMAIL_URL).path or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Candor <candor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")  # the organisation's time zone
USE_I18N = True
USE_TZ = True

# --- Static files: our own copies (Bootstrap, plotly.js), never a CDN --------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "control_folder": str(_queue / "control"),
        "processed_folder": str(_queue / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis hands an unacknowledged task to another worker after this long, so
        # it must outlast the longest a task is held: its run (the hard time limit
        # below) and a retry's countdown (at most 10 minutes, core.delivery.RETRY).
        # Shorter, a slow task would run twice; reminders and closing are found by
        # scanning the database, never scheduled as long ETA tasks.
        "visibility_timeout": 3600,
    }
CELERY_TIMEZONE = TIME_ZONE
# Nobody reads a task's return value: the database says what was sent.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it ran, so a worker killed halfway leaves the
# message for another worker; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that raised or hit its time limit is acknowledged all the same: sent again
# it would fail again, forever; the dispatcher's stale marks pick it up instead.
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
# One message reserved per worker process: a fan-out of a million invitations stays
# in Redis, where another worker (or one started to help) can take it, instead of
# piling up in one worker's memory, lost to the others until it is done.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a worker that loses the broker gets its running tasks redelivered
# to someone else; stop them rather than run both copies at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below like web does (LOG_FORMAT, redaction), instead
# of Celery replacing the root logger's handlers with its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A web request must not hang on a broker that is down: the scheduler tick picks up
# whatever was saved but not handed over (docs/design.md, invariant 5).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2}
# /healthz remembers the broker's state and its counts of emails of unknown fate
# this many seconds per web process, so a load balancer polling every second opens
# no broker connection and scans no week of invitations per call; an outage shows
# within this much more time.
HEALTHZ_REMEMBER_SECONDS = env_int("HEALTHZ_REMEMBER_SECONDS", 5, minimum=0)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A send waits at most EMAIL_TIMEOUT per SMTP step; a dispatcher pass queues in
# bounded batches. Five minutes means stuck, not slow: the soft limit raises in the
# task (its claim is undone or left to its lease), the hard one kills the process.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
# Two queues. A survey's fan-out queues one task per person (a million for a
# company that size) in one pass: on the queue everything else uses, a board notice
# or the dispatcher's own next pass would wait behind all of them, and /healthz
# would take the unmoving heartbeat for a dead worker. So survey invitations and
# reminders, and welcome emails (an import of thousands queues one each), go to
# their own queue, with workers of their own (`mailer` in docker-compose.yml and
# the Procfile); the rest (board notices, the dispatcher,
# the heartbeat) stays on the default queue, which stays short. A task named
# nowhere here goes to the default queue. A caller that names a queue itself
# (`apply_async(queue=...)`, as the end-to-end tests do) overrides this.
CANDOR_QUEUE_DEFAULT = "default"
CANDOR_QUEUE_BULK_MAIL = "bulk_mail"
CELERY_TASK_DEFAULT_QUEUE = CANDOR_QUEUE_DEFAULT
CELERY_TASK_ROUTES = {
    "surveys.send_invitation": {"queue": CANDOR_QUEUE_BULK_MAIL},
    "surveys.send_reminder": {"queue": CANDOR_QUEUE_BULK_MAIL},
    "org.send_welcome": {"queue": CANDOR_QUEUE_BULK_MAIL},
    "org.queue_welcomes": {"queue": CANDOR_QUEUE_BULK_MAIL},
}

# A link's token is a credential (answer, customer, unsubscribe and password-reset
# links): every printed line goes through config.logs.RedactSecrets, and so does
# each Django logger that names a request's path (4xx and 5xx warnings, CSRF
# refusals, runserver's request lines), for whatever else listens to it.
_REDACT = ["redact_secrets"]
# "json": one JSON object a line for a log collector (config.logs.JsonFormatter);
# "plain": a line for people. The request and task lines carry the same fields.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "config.logs.RedactSecrets"},
        "no_traceback_for_refusals": {"()": "config.logs.NoTracebackForRefusals"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
        "django.server": {  # as Django's own
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": _REDACT,
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": _REDACT,
        },
    },
    "loggers": {
        # A 403 or 404 is one WARNING line, without the exception's traceback.
        "django.request": {"filters": [*_REDACT, "no_traceback_for_refusals"]},
        "django.security.csrf": {"filters": _REDACT},
        # Celery's own "Task … succeeded in …: <return value>" line: ours
        # (config.celery) says the same with the fields above, once. Failures still
        # show (ERROR, with the traceback).
        "celery.app.trace": {"level": "WARNING"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": _REDACT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


# The REST API (/api/v1/): a signed-in browser session or a token HR created
# (People → API tokens, or `python manage.py api_token_create <email> --name ...`),
# the same permissions as the pages. Its documentation is at /api/docs/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a missing or bad token then answers 401 with a challenge.
        "api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in, JSON out: a form body cannot say null, and the schema says one type.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Every 4xx has one body: {"type": ..., "errors": [{"code", "detail", "attr"}]}.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # Reads per client, counted in the cache (Redis in production) as keyed hashes
    # that name no one (api/throttling.py); posting has its own limit in the
    # board's services.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.UserRate",
        "api.throttling.AnonRate",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_USER", "2000/hour"),
        "anon": env_str("API_RATE_ANON", "100/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Candor API",
    "DESCRIPTION": "AI tools, concerns and the dashboards' numbers, behind the same "
    "permissions and anonymity floor as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],  # shapes only
    "ENUM_NAME_OVERRIDES": {
        "ConcernStatusEnum": "feedback.models.Status",
        "ToolStatusEnum": "org.models.AITool.Status",
        "KindEnum": "org.models.AITool.Kind",  # its name before questions had one
        "QuestionKindEnum": "surveys.models.Question.Kind",
        "ErrorCode409Enum": "api.errors.ErrorCode409Enum.choices",
        "ErrorCode413Enum": "api.errors.ErrorCode413Enum.choices",
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                "ErrorCode401Enum",
                "ErrorCode403Enum",
                "ErrorCode404Enum",
                "ErrorCode405Enum",
                "ErrorCode406Enum",
                "ErrorCode415Enum",
                "ErrorCode429Enum",
                "ErrorCode500Enum",
            )
        },
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums"
    ],
    "COMPONENT_SPLIT_REQUEST": True,
}
