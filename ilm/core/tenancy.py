"""Tenancy in one place, failing closed (STYLE.md habits 2 and 3).

Every read of tenant data goes through a *selector*: a function that takes the acting
membership and returns the queryset it may see. The API and page base classes below
make `get_queryset` final: it always starts from the class's `scope_selector`, and a
subclass may only narrow it in `safely_get_queryset`. An object outside the scope
answers 404 exactly like one that does not exist; the probe is recorded in the audit
log as `access.denied`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from ilm.core import audit


def acting_membership(request: HttpRequest | Any) -> Any:
    """The membership the request acts for (set by the session middleware or the token)."""
    return getattr(request, "membership", None)


def _refuse_get_queryset_override(cls: type) -> None:
    if "get_queryset" in cls.__dict__:
        raise ImproperlyConfigured(
            f"{cls.__name__} overrides get_queryset(); tenancy is decided by its scope_selector. "
            "Narrow the scoped queryset in safely_get_queryset() instead."
        )


def dangerously_exists(model: type[models.Model], **lookup: Any) -> bool:
    """Unscoped existence check, only to tell a probe of someone else's object from a typo."""
    try:
        return model._default_manager.filter(**lookup).exists()
    except (ValueError, TypeError):
        return False


def _signed_in_user(request: Any) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record_denied(request: Any, model: type[models.Model], lookup: dict[str, Any]) -> None:
    if dangerously_exists(model, **lookup):
        audit.record(
            "access.denied",
            membership=acting_membership(request),
            user=_signed_in_user(request),
            object_type=model._meta.label_lower,
            object_id=str(next(iter(lookup.values()), "")),
            detail={"path": getattr(request, "path", "")},
        )


class _ScopedBase:
    scope_selector: ClassVar[Callable[..., models.QuerySet[Any]]]
    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_get_queryset_override(cls)
        selector = cls.__dict__.get("scope_selector")
        if selector is not None and not isinstance(selector, staticmethod):
            cls.scope_selector = staticmethod(selector)

    def get_queryset(self) -> models.QuerySet[Any]:
        membership = acting_membership(self.request)
        if membership is None:
            raise PermissionDenied
        selector = getattr(self, "scope_selector", None)
        if selector is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no scope_selector.")
        return self.safely_get_queryset(selector(membership=membership))

    def safely_get_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Narrow the scoped queryset (filters, ordering, select_related). Never widen it."""
        return queryset


class ScopedAPIMixin(_ScopedBase):
    """For DRF generic views and viewsets."""

    kwargs: dict[str, Any]
    lookup_field: str
    lookup_url_kwarg: str | None

    def get_object(self) -> Any:
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            key = self.lookup_url_kwarg or self.lookup_field
            if key in self.kwargs:
                model = self.get_queryset().model
                record_denied(self.request, model, {self.lookup_field: self.kwargs[key]})
            raise


class ScopedPageMixin(_ScopedBase):
    """For Django class-based views (ListView, DetailView, UpdateView, ...)."""

    kwargs: dict[str, Any]
    pk_url_kwarg = "pk"

    def get_object(self, queryset: models.QuerySet[Any] | None = None) -> Any:
        try:
            return super().get_object(queryset)  # type: ignore[misc]
        except Http404:
            if self.pk_url_kwarg in self.kwargs:
                model = self.get_queryset().model
                record_denied(self.request, model, {"pk": self.kwargs[self.pk_url_kwarg]})
            raise


def get_scoped_or_404(queryset: models.QuerySet[Any], request: Any, **lookup: Any) -> Any:
    """For function views: fetch from an already-scoped queryset, 404 (and audit) otherwise."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        record_denied(request, queryset.model, lookup)
        raise Http404 from None


def scoped_to(model: type[models.Model]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare which model a function view's `pk` names (the generated tenancy matrix reads it)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        view.scoped_model = model  # type: ignore[attr-defined]
        return view

    return decorator


def membership_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse (403) a signed-in person who acts for no organisation yet, before the view runs."""
    import functools

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if acting_membership(request) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
