"""Base settings: everything that differs between machines comes from the environment.

Overlays: `dev` (generates secrets into var/ on first run), `test`, `prod`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()
VAR_DIR = Path(env("ILM_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ilm.core",
    "ilm.accounts",
    "ilm.network",
    "ilm.cases",
    "ilm.channels",
    "ilm.plans",
    "ilm.recruitment",
    "ilm.surveys",
    "ilm.jobs",
    "ilm.indicators",
    "ilm.public",
    "ilm.api",
    "ilm.dashboards",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "rules",
    "simple_history",
    "django_htmx",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ilm.core.middleware.RequestContextMiddleware",
    "ilm.core.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ilm.accounts.middleware.LoginRequiredMiddleware",
    "ilm.accounts.middleware.SessionLifetimeMiddleware",
    "ilm.accounts.middleware.ActingMembershipMiddleware",
    "ilm.accounts.middleware.UserLanguageMiddleware",
    "ilm.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ilm.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ilm.accounts.context_processors.acting_membership",
                "ilm.core.navigation.nav_section",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles the case list's visibility EXISTS for ~100 ms on every call and
    # never pays back on short OLTP queries (measured with `make bench`: buyer count 180 -> 60 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://ilm")}

# --- Accounts, passwords, sessions -----------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

SESSION_COOKIE_AGE = 60 * 60  # idle timeout: one hour without a request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
ILM_SESSION_ABSOLUTE_AGE = 12 * 60 * 60  # signed out 12 hours after signing in, active or not
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ilm.core.views.csrf_failure"

# Lockout: 5 failed sign-ins per account and, separately, per IP address -> 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ilm.accounts.views.lockout_response"
# Client address (lockouts, rate limits, audit log): REMOTE_ADDR unless deployment says a trusted
# proxy sets X-Forwarded-For (docs/deploy.md, "Client addresses"). Never trust the header by default:
# a client could forge it to dodge lockouts.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env.list("AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"]))
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_IPWARE_PROXY_TRUSTED_IPS = tuple(env.list("AXES_IPWARE_PROXY_TRUSTED_IPS", default=[])) or None
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "ILM"

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("th", _("Thai")),
    ("my", _("Burmese")),
    ("km", _("Khmer")),
    ("ne", _("Nepali")),
]
LOCALE_PATHS = [Path(env("ILM_LOCALE_DIR", default=str(BASE_DIR / "locale")))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Bangkok")
LANGUAGE_COOKIE_NAME = "ilm_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and private files ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
PRIVATE_FILES_ROOT = VAR_DIR / "private"  # outside the web root; served by permission-checked views
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security headers ------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}


# --- E-mail (Django 6.1 MAILERS, configured from one EMAIL_URL) ---------------------
def _mailer(url: str) -> dict[str, object]:
    config = environ.Env.email_url_config(url)
    backend = str(config["EMAIL_BACKEND"])
    options: dict[str, object] = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST"),
            "port": config.get("EMAIL_PORT"),
            "username": config.get("EMAIL_HOST_USER") or None,
            "password": config.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": 20,
        }
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ILM <no-reply@ilm.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Cases ------------------------------------------------------------------------------
ILM_SLA_RESPONSE_DAYS = env.int("ILM_SLA_RESPONSE_DAYS", default=7)  # no business response after shared
ILM_SLA_STALE_DAYS = env.int("ILM_SLA_STALE_DAYS", default=14)  # no activity on an open case
ILM_ATTACHMENT_MAX_BYTES = env.int("ILM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ILM_ATTACHMENT_MAX_PIXELS = env.int("ILM_ATTACHMENT_MAX_PIXELS", default=40_000_000)
ILM_EXPORT_SYNC_MAX_ROWS = env.int("ILM_EXPORT_SYNC_MAX_ROWS", default=2000)  # larger exports run as a task

# --- Channels ---------------------------------------------------------------------
ILM_CHANNEL_MAX_BODY_BYTES = env.int("ILM_CHANNEL_MAX_BODY_BYTES", default=1024 * 1024)  # larger webhooks: 413
# Raw webhook bodies (worker identity, encrypted) are deleted this many days after they were parsed or gave up.
ILM_CHANNEL_DELIVERY_RETENTION_DAYS = env.int("ILM_CHANNEL_DELIVERY_RETENTION_DAYS", default=30)
# Where replies go, per provider ("whatsapp=http://127.0.0.1:8025,line=..."): empty means the real API.
# `manage.py channel_simulator` points every provider at its own local fake.
ILM_CHANNEL_API_BASES = env.dict("ILM_CHANNEL_API_BASES", default={})
ILM_CHANNEL_SEND_TIMEOUT = env.float("ILM_CHANNEL_SEND_TIMEOUT", default=10.0)
ILM_CHANNEL_SEND_ATTEMPTS = env.int("ILM_CHANNEL_SEND_ATTEMPTS", default=5)
# Workers' photos, voice notes and documents, downloaded by the task worker (larger files are not kept).
ILM_CHANNEL_MAX_MEDIA_BYTES = env.int("ILM_CHANNEL_MAX_MEDIA_BYTES", default=16 * 1024 * 1024)
ILM_CHANNEL_MEDIA_ATTEMPTS = env.int("ILM_CHANNEL_MEDIA_ATTEMPTS", default=4)

# --- Encryption of worker identity and other secrets ------------------------------
# "kid:base64key,kid2:base64key": the first key encrypts, every key decrypts.
ILM_ENCRYPTION_KEYS = env("ILM_ENCRYPTION_KEYS")
ILM_BLIND_INDEX_KEY = env("ILM_BLIND_INDEX_KEY")

# --- API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ilm.accounts.authentication.BearerTokenAuthentication",
        "ilm.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ilm.api.permissions.HasActingMembership"],
    "DEFAULT_PAGINATION_CLASS": "ilm.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "ilm.api.schema.ILMAutoSchema",
    "EXCEPTION_HANDLER": "ilm.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["ilm.api.throttling.DefaultScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": {"tokens": "20/hour", "default": "600/minute"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ilm.api.parsers.StrictJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ILM API",
    "DESCRIPTION": (
        "Inclusive Labor Monitoring, API v1. Authenticate with a personal API token: "
        "`Authorization: Bearer <token>`. Every response is scoped to the token's membership."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Swagger UI 5.3x draws only the operations near the viewport; with 160+ operations a page that opens
    # every tag looks truncated. Tags start folded (all listed), and the filter box finds a tag by name.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True, "deepLinking": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "AUTHENTICATION_WHITELIST": ["ilm.accounts.authentication.BearerTokenAuthentication"],
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "ilm.core.permissions.OrgKind",
        "RoleEnum": "ilm.core.permissions.Role",
        "LinkKindEnum": "ilm.network.models.LinkKind",
        "LinkStatusEnum": "ilm.network.models.LinkStatus",
        "SiteTypeEnum": "ilm.network.models.SiteType",
        "MsaStatusEnum": "ilm.network.models.MsaStatus",
        "RepaymentMethodEnum": "ilm.recruitment.models.RepaymentMethod",
        "RepaymentVerificationMethodEnum": "ilm.recruitment.models.VerificationMethod",
        "FeeTypeEnum": "ilm.recruitment.models.FeeType",
        "RepaymentPolicyKindEnum": "ilm.recruitment.models.PolicyKind",
        "GenderEnum": "ilm.network.models.Gender",
        "ChannelProviderEnum": "ilm.network.models.ChannelProvider",
        "CaseStatusEnum": "ilm.cases.models.CaseStatus",
        "ActionStatusEnum": "ilm.cases.models.ActionStatus",
        "UpdateKindEnum": "ilm.cases.models.UpdateKind",
        "WorkerKindEnum": "ilm.cases.models.WorkerKind",
        "IdentifierKindEnum": "ilm.cases.models.IdentifierKind",
        "ValidationMethodEnum": "ilm.cases.models.ValidationMethod",
        "PurposeEnum": "ilm.cases.models.ContactPurpose",
        "PlanRowStatusEnum": "ilm.plans.models.RowStatus",
        "PlanningStatusEnum": "ilm.plans.models.PlanningStatus",
        "FocalPointPurposeEnum": "ilm.plans.models.FocalPointPurpose",
        "ActivityTypeEnum": "ilm.plans.models.ActivityType",
        "LanguagesEnum": "ilm.channels.forms.CHANNEL_LANGUAGES",  # channels and courses (the Academy)
        "TrainingModeEnum": "ilm.plans.models.TrainingMode",
        "TraineeRoleEnum": "ilm.plans.models.TraineeRole",
        "IndicatorStatusEnum": "ilm.plans.models.IndicatorStatus",
        "SuggestionStatusEnum": "ilm.plans.models.SuggestionStatus",
        "ValidationRequestStatusEnum": "ilm.cases.models.ValidationRequestStatus",
        "SurveyKindEnum": "ilm.surveys.models.SurveyKind",  # surveys
        "SurveyStatusEnum": "ilm.surveys.models.SurveyStatus",  # surveys
        "QuestionKindEnum": "ilm.surveys.models.QuestionKind",  # surveys
        "VacancyStatusEnum": "ilm.jobs.models.VacancyStatus",  # jobs
        "JobApplicationStatusEnum": "ilm.jobs.models.ApplicationStatus",  # jobs
        # Case exports and quarterly reports: the same four states of a file the task worker makes.
        "TaskStatusEnum": "ilm.dashboards.models.ReportStatus",
        "InterfaceLanguageEnum": "django.conf.settings.LANGUAGES",  # quarterly reports
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ilm.api.schema.strip_database_integer_limits",
    ],
}

# --- Logging: never log request bodies or identity values -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "ilm.core.errors.ILMExceptionReporterFilter"
