from typing import Any

import pytest
from django.test import RequestFactory

from komar.core.pagination import paginate, paginate_deep
from komar.organisations.models import Organisation


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["1", "2", "3", "99", "x"])
def test_deferred_join_pages_hold_the_same_rows_in_the_same_order(page: str) -> None:
    qs: Any = Organisation.objects.order_by("name_en", "pk")
    request = RequestFactory().get("/", {"page": page})
    plain = paginate(request, qs, per_page=7)
    deep = paginate_deep(request, qs, per_page=7)
    assert Organisation.objects.count() > 14  # several pages to compare
    assert [o.pk for o in deep.object_list] == [o.pk for o in plain.object_list]
    assert (deep.number, deep.paginator.num_pages) == (plain.number, plain.paginator.num_pages)
