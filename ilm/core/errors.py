"""Error types shared by services, and an exception reporter that hides protected values."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class ServiceError(Exception):
    """A rule of the domain refused the change; `message` is shown to the user (translated)."""

    def __init__(self, message: Any, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Conflict(ServiceError):
    """Someone else changed the object first (HTTP 409)."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, code="conflict")


class ILMExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports hide anything that looks like a secret or worker identity."""

    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTHORIZATION|PHONE|NAME|HANDLE|DOCUMENT",
        flags=re.IGNORECASE,
    )

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        # Local variables may hold decrypted identity: never show them in reports.
        return [(name, self.cleansed_substitute) for name, _value in tb_frame.f_locals.items()]
