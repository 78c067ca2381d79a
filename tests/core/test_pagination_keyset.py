"""Keyset pages: walking forward and backward meets every row once, in order, ties included."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from komar.core.pagination import KeysetPaginator, paginate_keyset
from komar.organisations.models import Organisation

KEYS = {"descending": ("-kind", "-pk"), "ascending": ("kind", "pk")}


def ordered(keys: tuple[str, ...]) -> list[int]:
    return list(Organisation.objects.order_by(*keys).values_list("pk", flat=True))


def walk_forward(paginator: KeysetPaginator) -> list[int]:
    page, seen = paginator.page(), []
    while True:
        seen += [o.pk for o in page]
        if not page.has_next:
            return seen
        page = paginator.page(after=page.next_cursor)


def walk_backward(paginator: KeysetPaginator) -> list[int]:
    """Back from the last page. Near the top, "previous" shows the whole first page, which may
    repeat rows already seen: those are the only repeats allowed."""
    page, seen = paginator.page(last=True), []
    while True:
        rows = [o.pk for o in page]
        if not page.has_previous:
            overlap = [pk for pk in rows if pk in seen]
            assert overlap == seen[: len(overlap)]  # only the top of what was seen
            return rows + seen[len(overlap) :]
        assert len(rows) == paginator.per_page and not set(rows) & set(seen)
        seen = rows + seen
        page = paginator.page(before=page.previous_cursor)


class KeysetWalks(HypothesisTestCase):
    """Over the reference organisations, whose `kind` repeats (many ties), at any page size."""

    @settings(max_examples=25, deadline=None)
    @given(per_page=st.integers(min_value=1, max_value=40), way=st.sampled_from(sorted(KEYS)))
    def test_forward_and_backward_walks_meet_every_row_once_in_order(
        self, per_page: int, way: str
    ) -> None:
        keys = KEYS[way]
        expected = ordered(keys)
        assert len(expected) > 20 and len(set(Organisation.objects.values_list("kind"))) < 10
        paginator = KeysetPaginator(Organisation.objects.all(), keys, per_page)
        assert walk_forward(paginator) == expected
        assert walk_backward(paginator) == expected


@pytest.mark.django_db
def test_the_count_is_exact_up_to_the_cap_and_then_only_says_more() -> None:
    total = Organisation.objects.count()
    exact = KeysetPaginator(Organisation.objects.all(), ("pk",), 5, count_cap=total).page()
    assert (exact.count, exact.count_is_exact) == (total, True)
    capped = KeysetPaginator(Organisation.objects.all(), ("pk",), 5, count_cap=total - 1).page()
    assert (capped.count, capped.count_is_exact) == (total - 1, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"after": "garbage"},
        {"before": "x~y~z"},
        {"after": "club~notanumber"},
        {"page": "7"},
        {"after": "zzzz~999999"},
    ],
)
def test_a_malformed_or_stale_cursor_gives_the_first_page(params: dict[str, str]) -> None:
    qs: Any = Organisation.objects.all()
    first = paginate_keyset(RequestFactory().get("/"), qs, ("kind", "pk"), per_page=4)
    page = paginate_keyset(RequestFactory().get("/", params), qs, ("kind", "pk"), per_page=4)
    assert [o.pk for o in page] == [o.pk for o in first] == ordered(("kind", "pk"))[:4]
    assert not page.has_previous and page.has_next


@pytest.mark.django_db
def test_the_last_page_holds_the_last_rows_and_a_middle_page_both_links() -> None:
    qs: Any = Organisation.objects.all()
    paginator = KeysetPaginator(qs, ("-kind", "-pk"), 3)
    expected = ordered(("-kind", "-pk"))
    last = paginator.page(last=True)
    assert [o.pk for o in last] == expected[-3:] and not last.has_next and last.has_previous
    second = paginator.page(after=paginator.page().next_cursor)
    assert [o.pk for o in second] == expected[3:6]
    assert second.has_previous and second.has_next


def test_keys_that_sort_both_ways_are_refused() -> None:
    with pytest.raises(ValueError, match="same way"):
        KeysetPaginator(Organisation.objects.none(), ("-kind", "pk"), 3)
