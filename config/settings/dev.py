"""Development: SQLite in var/, secrets generated into var/ on first run, DEBUG on."""

import os
from pathlib import Path

from config.settings.secrets import ensure_dev_secrets

_VAR = Path(os.environ.get("ILM_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
ensure_dev_secrets(_VAR)
os.environ.setdefault("DEBUG", "true")

from config.settings.base import *  # noqa: E402, F403

# Replies never leave the machine in development: `manage.py channel_simulator serve` receives them.
if not os.environ.get("ILM_CHANNEL_API_BASES"):
    ILM_CHANNEL_API_BASES = dict.fromkeys(
        ("whatsapp", "messenger", "line", "viber", "telegram", "sms"), "http://127.0.0.1:8025"
    )
