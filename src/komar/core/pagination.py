from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page:
    """One page of `queryset`; a page number that is not a number or out of range gives the
    nearest valid page instead of an error."""
    paginator = Paginator(queryset, per_page or settings.KOMAR_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class DeferredJoinPaginator(Paginator):
    """Pages of a large ordered queryset, fetched in two steps: the primary keys of the page (an
    index-only walk past the offset) and then only those rows with their joins. Deep pages then
    skip index entries instead of building and throwing away full rows."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate_deep(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None
) -> Page:
    """`paginate` for lists that may reach millions of rows (see DeferredJoinPaginator)."""
    paginator = DeferredJoinPaginator(queryset, per_page or settings.KOMAR_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
