from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page:
    """One page of `queryset`; a page number that is not a number or out of range gives the
    nearest valid page instead of an error."""
    paginator = Paginator(queryset, per_page or settings.KOMAR_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    for key in ("page", "after", "before"):
        params.pop(key, None)
    return params.urlencode()


CURSOR_SEPARATOR = "~"


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list: its rows, whether there are rows before and after
    it, the cursors that reach them, and the list's size counted only up to a cap."""

    object_list: list[Any]
    has_previous: bool
    has_next: bool
    previous_cursor: str
    next_cursor: str
    count: int
    count_is_exact: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


class KeysetPaginator:
    """Pages of a large ordered queryset that cost the same at any depth.

    Instead of an offset, a page is reached from the ordering keys of the row just before it
    (`after`) or just after it (`before`), so every page is an index range read of `per_page`
    rows. The total is counted only up to `count_cap` rows: beyond that a list is "more than
    N", which is all a person paging through it needs and keeps the count from reading the
    whole table. `keys` must all run the same way and end in a unique field (the primary key)."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        keys: tuple[str, ...],
        per_page: int,
        count_cap: int = 10_000,
    ) -> None:
        descending = {key.startswith("-") for key in keys}
        if len(descending) != 1:
            raise ValueError("keyset keys must all sort the same way")
        self.queryset = queryset
        self.descending = descending.pop()
        self.fields = [key.lstrip("-") for key in keys]
        self.per_page = per_page
        self.count_cap = count_cap

    def _order(self, forward: bool) -> list[str]:
        minus = "-" if self.descending == forward else ""
        return [minus + field for field in self.fields]

    def _beyond(self, values: list[Any], forward: bool) -> Q:
        """Rows strictly past `values` in the given direction. The first key's non-strict
        bound is repeated on its own so the database can use it as an index range."""
        op = "lt" if self.descending == forward else "gt"
        condition = Q()
        for i, field in enumerate(self.fields):
            equal = dict(zip(self.fields[:i], values[:i], strict=True))
            condition |= Q(**equal, **{f"{field}__{op}": values[i]})
        return Q(**{f"{self.fields[0]}__{op}e": values[0]}) & condition

    def cursor(self, obj: Any) -> str:
        parts = []
        for field in self.fields:
            value = getattr(obj, field)
            parts.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
        return CURSOR_SEPARATOR.join(parts)

    def parse(self, token: str | None) -> list[Any] | None:
        """The key values in a cursor, or None when it is missing or malformed."""
        if not token:
            return None
        parts = token.split(CURSOR_SEPARATOR)
        if len(parts) != len(self.fields):
            return None
        meta = self.queryset.model._meta
        try:
            return [
                (meta.pk if field == "pk" else meta.get_field(field)).to_python(part)
                for field, part in zip(self.fields, parts, strict=True)
            ]
        except (ValidationError, ValueError):
            return None

    def page(
        self, *, after: str | None = None, before: str | None = None, last: bool = False
    ) -> KeysetPage:
        size = self.per_page
        after_values, before_values = self.parse(after), self.parse(before)
        has_previous = has_next = False
        if after_values is not None:
            rows = list(
                self.queryset.filter(self._beyond(after_values, forward=True)).order_by(
                    *self._order(forward=True)
                )[: size + 1]
            )
            has_previous, has_next = True, len(rows) > size
            rows = rows[:size]
        elif before_values is not None or last:
            qs = self.queryset
            if before_values is not None:
                qs = qs.filter(self._beyond(before_values, forward=False))
            rows = list(qs.order_by(*self._order(forward=False))[: size + 1])
            has_previous, has_next = len(rows) > size, before_values is not None
            rows = rows[:size][::-1]
        else:
            rows = []
        if not rows or (not has_previous and len(rows) < size and before_values is not None):
            # The first page, also when a cursor is stale, malformed or leads before the start.
            rows = list(self.queryset.order_by(*self._order(forward=True))[: size + 1])
            has_previous, has_next = False, len(rows) > size
            rows = rows[:size]
        counted = self.queryset.order_by().values("pk")[: self.count_cap + 1].count()
        return KeysetPage(
            object_list=rows,
            has_previous=has_previous,
            has_next=has_next,
            previous_cursor=self.cursor(rows[0]) if rows else "",
            next_cursor=self.cursor(rows[-1]) if rows else "",
            count=min(counted, self.count_cap),
            count_is_exact=counted <= self.count_cap,
        )


def paginate_keyset(
    request: HttpRequest,
    queryset: QuerySet[Any],
    keys: tuple[str, ...],
    per_page: int | None = None,
) -> KeysetPage:
    """A KeysetPaginator page for the request's `after`, `before` or `page=last`."""
    paginator = KeysetPaginator(queryset, keys, per_page or settings.KOMAR_PAGE_SIZE)
    return paginator.page(
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        last=request.GET.get("page") == "last",
    )
