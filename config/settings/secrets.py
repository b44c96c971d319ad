"""Generate the development secrets into var/ on first run; never committed."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def new_encryption_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def ensure_dev_secrets(var_dir: Path) -> None:
    """Write var/dev-secrets.env once, then load its values as environment defaults."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.env"
    if not path.exists():
        lines = [
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"ILM_ENCRYPTION_KEYS=dev1:{new_encryption_key()}",
            f"ILM_BLIND_INDEX_KEY={new_encryption_key()}",
        ]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Development secrets generated on first run. Not for production.\n")
            handle.write("\n".join(lines) + "\n")
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())
