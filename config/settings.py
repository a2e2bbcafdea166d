"""One env-driven settings module. See .env.example for every knob.

Embedded defaults (SQLite, a Celery broker in local files) need no server; production switches by
DATABASE_URL and CELERY_BROKER_URL alone.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Test mode is asked for (DJANGO_TESTING=1: `make test`, scripts/test-postgres.sh, config/test_settings.py
# for a bare `pytest`), never guessed: a served process that happens to import pytest stays the product.
TESTING = env_bool("DJANGO_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DJANGO_DEBUG is off "
            "(`make run` keeps one in var/secret_key; tests run with DJANGO_TESTING=1)"
        )
    SECRET_KEY = "insecure-dev-only-key-never-used-in-production"

# Is the site served over HTTPS? Configuration, not inferred from DEBUG. On by default whenever DEBUG is off
# (the safe default for a deployment: HTTPS redirect, Secure cookies, HSTS); `make run` on a local
# http://127.0.0.1 says DJANGO_HTTPS=0 (scripts/run.sh). See "HTTPS" in the README.
HTTPS = env_bool("DJANGO_HTTPS", not (DEBUG or TESTING))

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if (DEBUG or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_celery_beat",
    "core",
    "members",
    "volunteering",
    "cases",
    "evaluations",
    "supervision",
]

MIDDLEWARE = [
    # Outermost, so every log line of the request (and the handler-500 response) carries the id.
    "core.middleware.RequestIdMiddleware",
    # Above WhiteNoise, so static files get the CSP / Permissions-Policy / X-Frame-Options too.
    "core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Audit context (actor, REMOTE_ADDR, request id) for every write; records every 403. Above the
    # second-factor and password-change gates, so their refusals are recorded too.
    "core.audit.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: idle/absolute session limits, then the second factor, then the forced
    # change of an initial password (each lets the pages the next one needs through).
    "core.middleware.SessionLimitsMiddleware",
    "members.second_factor.SecondFactorMiddleware",
    "core.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "members.context_processors.roles",
                "core.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a whole office: two or more gunicorn workers and the Celery worker write to
    # one file at once. Measured with tests/embedded/load.py (8 writers registering and classifying cases,
    # 4 web workers + the Celery worker): 36 of 156 requests were "database is locked" 500s before these
    # options, none after.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait up to this many seconds for the write lock (sqlite3's busy timeout) instead of failing.
            "timeout": env_int("SQLITE_TIMEOUT", 20),
            # BEGIN IMMEDIATE: a transaction takes the write lock when it starts. With the default (DEFERRED)
            # two transactions that each read and then write deadlock on the lock upgrade, and SQLite fails
            # one of them at once whatever the timeout. It also gives select_for_update() (a no-op on
            # SQLite) its meaning: every atomic block already holds the database's one write lock.
            "transaction_mode": "IMMEDIATE",
            # Per connection: WAL lets readers go on while one process writes (and the mode is kept in the
            # file); synchronous=NORMAL is WAL's durable-enough setting (a power cut may lose the last
            # commits, never corrupt the file) and avoids an fsync per commit.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failures for one account within 15 minutes. The client address comes from REMOTE_ADDR only,
# so a forged X-Forwarded-For header cannot reset the counter.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"  # REMOTE_ADDR only, never X-Forwarded-For
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
# The lock lasts 15 minutes from the fifth failure; attempts while locked are refused but not recorded, so
# someone hammering a colleague's login cannot keep it locked indefinitely by retrying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 wants the IP address in the lockout key. We lock per account on purpose: a community office
    # sits behind one NAT address, so an IP lockout would shut out every colleague after one person's typos.
    "axes.W006",
]

# Optional TOTP second factor (django-otp). This env setting is the platform-wide floor: on, every office
# account (secretary, staff, office director, town supervisor) and every admin (superuser, admin staff)
# verifies a device after each login before any page or API works (members.second_factor.SecondFactorMiddleware);
# their API tokens are refused meanwhile (members.second_factor.requires_second_factor). Off, a town can still ask
# it of its own office accounts (Town.require_2fa_for_staff, switched by its town supervisor on the home
# page or PATCH /api/v1/towns/{id}/); a town cannot switch off what this setting asks.
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = "民情流水线"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next attempt is checked

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files a browser asks for at the site's root (/favicon.ico), served by WhiteNoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's token auth, refusing accounts that must change their password or verify a second factor.
        "members.second_factor.TokenAuthentication",
    ],
    # JSON without NaN/Infinity or lone surrogates (those reach the database or renderer as a 500), and no
    # control characters in any text value, whatever the content type (a 400 naming the field).
    "DEFAULT_PARSER_CLASSES": [
        "core.security.JSONParser",
        "core.security.FormParser",
        "core.security.MultiPartParser",
    ],
    # Deny by default: a view that is open to anonymous users says so explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.api.StableOrderingFilter",  # `?ordering=` with the primary key as the tie-breaker
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_lookup": "10/minute", "public_submit": "5/minute"},
    # Throttles key anonymous clients by REMOTE_ADDR, never by a client-supplied X-Forwarded-For (DRF's
    # default trusts that header, so a forged one would dodge the public throttles). Behind N reverse
    # proxies that append the header, set TRUSTED_PROXY_COUNT=N.
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "民情流水线 API",
    "DESCRIPTION": "Party-building roster, volunteering, residents' concerns pipeline and yearly evaluations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI describe every endpoint and field (IDs, phone numbers...): login only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OfficerSourceEnum": "members.models.OfficerSource",
        "ZoneSourceEnum": "members.models.ZoneSource",
        "OfficerEndReasonEnum": "members.models.OfficerEndReason",
        "HandlingTypeEnum": "cases.models.HandlingType",
        "DisclosureKindEnum": "cases.models.DisclosureKind",
        # Added by the security helper so `check --deploy --fail-level WARNING` (which runs the schema
        # generator) passes: several apps name fields "kind", "category", "channel" (drf_spectacular.W001).
        "OfficerRecordKindEnum": "members.models.OfficerRecordKind",
        "CaseCategoryEnum": "cases.models.Category",
        "CaseChannelEnum": "cases.models.Channel",
        "AssigneeKindEnum": "cases.models.AssigneeKind",
        "ReceptionKindEnum": "cases.models.ReceptionKind",
        "GoodCategoryEnum": "volunteering.models.GoodCategory",
        "ProgrammeKindEnum": "volunteering.models.ProgrammeKind",
        "ConductKindEnum": "volunteering.models.ConductKind",
        "CheckInMethodEnum": "volunteering.models.CheckInMethod",
        "FeedbackMethodEnum": "cases.models.FeedbackMethod",
        # a registration's status appears in two shapes: the office's and the employer liaison's
        "RegistrationStatusEnum": "members.models.RegistrationStatus",
        # appraisal
        "AppraisalKindEnum": "evaluations.models.AppraisalKind",
        "AppraisalStateEnum": "evaluations.models.AppraisalState",
        "CaseStateEnum": "cases.states.CaseState",
        # employer: the evaluations app's sheets, batches and consultations each have a "state"
        "SheetStateEnum": "evaluations.models.SheetState",
        "SheetBatchStateEnum": "evaluations.models.SheetBatchState",
        "ConsultationStateEnum": "evaluations.models.ConsultationState",
        # supervision: orders and staff complaints each have a "state"; orders a "level"
        "SupervisionOrderStateEnum": "supervision.models.OrderState",
        "StaffComplaintStateEnum": "supervision.models.ComplaintState",
        "StaffComplaintMeasureEnum": "supervision.models.Measure",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }
    if env_str("CACHE_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
    if not TESTING
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery. Default broker: Kombu's filesystem transport under var/ — a real worker and beat with no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_celery_dir = VAR_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis redelivers a task not acknowledged within this many seconds (a worker killed mid-task): longer than
    # any task runs, since a task still running after it is delivered twice (tasks are idempotent anyway).
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs live in the database (django-celery-beat): the admin sees, pauses and re-times them; the
# defaults are declared in config/celery.py (DEFAULT_PERIODIC_TASKS) and seeded after every migrate.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True
# Audit trail and access log (core.audit): kept this many days, then purged nightly; under 180 is refused.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
# Other personal data (core.retention, nightly): the rows of a roster upload (full ID numbers) are blanked
# after this many days, keeping the summary; read notifications are deleted; expired sessions are cleared;
# axes' login attempts and logs are deleted (kept as long as the audit minimum, 180 days).
ROSTER_IMPORT_RETENTION_DAYS = env_int("ROSTER_IMPORT_RETENTION_DAYS", 30)
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365)
AXES_LOG_RETENTION_DAYS = env_int("AXES_LOG_RETENTION_DAYS", 180)
# Volunteering (volunteering.retention, nightly): 爱心超市 recipients' and donors' names are blanked this many
# days after the hand-out or receipt; an ended pairing's household (name, roster link, address, note) after
# its end; a withdrawn skills-directory listing's contact phone after the withdrawal.
HANDOUT_RETENTION_DAYS = env_int("HANDOUT_RETENTION_DAYS", 730)
PAIRING_RETENTION_DAYS = env_int("PAIRING_RETENTION_DAYS", 730)
SKILL_PHONE_RETENTION_DAYS = env_int("SKILL_PHONE_RETENTION_DAYS", 30)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@minqing.local")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_MESSAGE_ID_DOMAIN = env_str(
    "EMAIL_MESSAGE_ID_DOMAIN", "minqing.local"
)  # notification emails: Message-ID <notification-N@...>
# SMS for notifications (core.sms): "logging" (default: written to the log, number masked), "locmem" (tests),
# or the dotted path of a provider's backend class with `send_messages(messages)`.
SMS_BACKEND = env_str("SMS_BACKEND", "logging")
# The outbox (core.outbox): after a broker error a process leaves publishing to the relay this many seconds;
# published messages are deleted this many days later (nightly, core.retention).
OUTBOX_BREAKER_SECONDS = env_int("OUTBOX_BREAKER_SECONDS", 30)
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)

# Production hardening; `manage.py check --deploy --fail-level WARNING` runs against these
# (tests/security/test_deploy_check.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
CONTENT_SECURITY_POLICY_PATH_OVERRIDES = {
    # Swagger UI (drf-spectacular's split view: its init script is a separate same-origin file, so scripts
    # stay 'self') has one inline <style> block in its page template; allow inline styles on that page only.
    # It is behind login and shows nothing but our own schema.
    "/api/docs/": {"style-src": ["'self'", "'unsafe-inline'"]},
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Sessions: an absolute lifetime (8 h, a working day) and an idle timeout (30 min), both enforced on the
# server by core.middleware.SessionLimitsMiddleware from stamps kept in the session. The cookie and the
# session row expire with the absolute lifetime; activity is written at most once a minute.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
IDLE_TIMEOUT_SECONDS = env_int("IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_TOUCH_SECONDS = min(60, IDLE_TIMEOUT_SECONDS)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)  # shared office PCs
# Over HTTPS (DJANGO_HTTPS, above): http is redirected, cookies are sent over HTTPS only, HSTS. Without it
# none of these, so a login works on a plain http://127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True) if HTTPS else False
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 0
if HTTPS:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # security.W021 asks for the HSTS preload flag. Preloading binds the whole registrable domain
        # (every subdomain, for months, hard to undo) and a town site usually lives under a domain it
        # does not own (e.g. *.gov.cn); the owner opts in with SECURE_HSTS_PRELOAD=1.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

# Every line carries the request id (core.security.RequestIdLogFilter; "-" outside a request).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.security.RequestIdLogFilter"},
        "personal_data": {"()": "core.security.PersonalDataLogFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
