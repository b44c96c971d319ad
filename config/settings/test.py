"""Tests: fixed throw-away keys, fast hashing, in-memory e-mail. DATABASE_URL picks the database."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment-0123456789")
# Two keys: tests rotate from the second to the first.
os.environ.setdefault(
    "ILM_ENCRYPTION_KEYS",
    "t1:dGVzdC1rZXktb25lLXRoaXJ0eS10d28tYnl0ZXMhISE=,t0:dGVzdC1rZXktemVyby10aGlydHktdHdvLWJ5dGVzISE=",
)
os.environ.setdefault("ILM_BLIND_INDEX_KEY", "dGVzdC1ibGluZC1pbmRleC1rZXktMzItYnl0ZXMhISE=")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, INSTALLED_APPS, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "tests.identityapp"]
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ILM_TEST_DB_NAME", "test_ilm")}
else:
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
# Uploaded files and exports stay in memory: tests never write into var/private.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
AXES_FAILURE_LIMIT = 5
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"django.request": {"level": "CRITICAL"}, "django.security": {"level": "CRITICAL"}},
}
# Tests never reach a real messaging provider: replies go to a closed local port unless a test points a
# provider at its own fake (ilm.channels.fake_provider).
ILM_CHANNEL_API_BASES = dict.fromkeys(
    ("whatsapp", "messenger", "line", "viber", "telegram", "sms"), "http://127.0.0.1:9"
)
