"""Who is acting, from where: set once per request (or task), read by the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    path: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("ilm_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or RequestContext()


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
