"""Settings for the gunicorn and db_worker processes the channels benchmark starts (bench/channels.py).

The test settings (same fixed keys and database as the bench process, DEBUG off) with what production
has and tests do not: the database task backend (webhooks are parsed by `manage.py db_worker`, not inline)
and persistent database connections. Routes the hello-world views of bench/urls.py too.
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # as base.py and prod.py; test.py sets 0
ROOT_URLCONF = "bench.urls"
# Server errors reach gunicorn's error log (test.py silences django.request entirely).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
