"""Keyset ("cursor") pagination for pages: `?after=<id>` walks to older rows, `?before=<id>` to newer.

Each page costs one indexed range scan whatever its depth, and no COUNT over the whole scoped list (which
is what made page-numbered lists slow for a buyer with a large chain). The API does the same with DRF's
CursorPagination (ilm.api.pagination).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class KeysetPage:
    object_list: list[Any]
    newer: int | None  # the `before` cursor of the previous (newer) page, if there is one
    older: int | None  # the `after` cursor of the next (older) page, if there is one

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def _cursor(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None  # a mangled link starts again from the newest rows rather than failing
    return number if number > 0 else None


def keyset_page(queryset: QuerySet[Any], params: Any, per_page: int = 25) -> KeysetPage:
    """The page of `queryset` (newest first by primary key) that `params` (request.GET) points at."""
    before, after = _cursor(params.get("before")), _cursor(params.get("after"))
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if not rows:
            return keyset_page(queryset, {}, per_page)
        # Older rows exist: at least the one the cursor named, unless it has since left the list.
        return KeysetPage(rows, newer=rows[0].pk if more_newer else None, older=rows[-1].pk)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    newer = rows[0].pk if after is not None and rows else None
    return KeysetPage(rows, newer=newer, older=rows[-1].pk if more_older else None)


class KeysetPaginationMixin:
    """For a ListView: `object_list` in the template is one keyset page; `keyset` holds the cursors."""

    page_size = 25  # ListView's own paginate_by stays None: no Paginator, no COUNT
    request: Any
    object_list: Any

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = keyset_page(kwargs.pop("object_list", self.object_list), self.request.GET, self.page_size)
        context: dict[str, Any] = super().get_context_data(object_list=page.object_list, **kwargs)  # type: ignore[misc]
        context["keyset"] = page
        return context
