"""Production: PostgreSQL, secure cookies, HSTS, hashed static files. Every secret from the environment."""

from config.settings.base import *  # noqa: F403
from config.settings.base import _mailer, env

# No silent fallbacks in production: a missing database or mail server stops the start.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")  # see base.py
MAILERS = {"default": _mailer(env("EMAIL_URL"))}

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-ilm_session"
CSRF_COOKIE_NAME = "__Host-ilm_csrftoken"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://ilm_cache")}
# Room for every membership's visibility scope, the rate-limit counters and the lockout data.
CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)
