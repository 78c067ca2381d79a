"""The progress dashboard: counts by theme and by lead actor from both perspectives, the gap
between them, SVG charts with the same numbers as their tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.charts import shorten, svg_number
from komar.commitments.models import Item, Theme
from tests.commitments.helpers import assess, make_item, secretariat
from tests.conftest import World, login, query_count

PUBLISHED = "published"


@pytest.fixture
def clean(world: World) -> World:
    """No items but the test's own (the Global Study's preloaded items are removed)."""
    Item.objects.all().delete()
    return world


class _Tables(HTMLParser):
    """Each <table>'s caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def table(html: str, caption: str) -> list[list[str]]:
    """The rows (header row first) of the table with this caption."""
    parser = _Tables()
    parser.feed(html)
    for t in parser.tables:
        if t["caption"] == caption:
            return list(t["rows"])
    raise AssertionError(f"no table {caption!r} in {[t['caption'] for t in parser.tables]}")


def svg(html: str, chart_id: str) -> str:
    start = html.index(f'id="{chart_id}-title"')
    return html[start : html.index("</svg>", start)]


def _three_items(world: World) -> dict[str, Item]:
    """health: A (gov implemented, coalition in progress: a gap), B (both implemented);
    education: C (coalition regressed; the government's report is only a draft)."""
    sec = secretariat(world)
    a = make_item(world, themes=["health"])
    b = make_item(world, themes=["health"])
    c = make_item(world, themes=["education"])
    for item in (a, b):
        services.actor_set(actor=sec, item=item, organisation=world.org_b, role="lead")
    services.actor_set(actor=sec, item=c, organisation=world.org_a, role="lead")
    services.actor_set(actor=sec, item=a, organisation=world.org_a, role="supporting")
    assess(world, a, perspective="government", status="implemented", state=PUBLISHED)
    assess(world, a, perspective="coalition", status="in_progress", state=PUBLISHED)
    assess(world, b, perspective="government", status="implemented", state=PUBLISHED)
    assess(world, b, perspective="coalition", status="implemented", state=PUBLISHED)
    assess(world, c, perspective="coalition", status="regressed", state=PUBLISHED)
    assess(world, c, perspective="government", status="implemented", state="validated")
    return {"a": a, "b": b, "c": c}


def _get(world: World, client: Client, role: str = Role.ANALYST) -> Any:
    return login(client, world.user(role)).get("/commitments/dashboard/")


def test_dashboard_tables_show_the_counts_by_theme(clean: World, client: Client) -> None:
    _three_items(clean)
    html = _get(clean, client).content.decode()
    rows = table(html, "Progress by theme")
    assert rows[0] == [
        "Theme", "Perspective", "Not started", "In progress", "Partly implemented",
        "Implemented", "Regressed", "No assessment yet", "Total", "Views differ",
    ]  # fmt: skip
    health = Theme.objects.get(code="health").name_en
    education = Theme.objects.get(code="education").name_en
    body = {(r[0], r[1]): r[2:] for r in rows[1::2]} | {
        (prev[0], r[0]): r[1:] for prev, r in zip(rows[1::2], rows[2::2], strict=True)
    }
    assert body[(health, "Government reports")] == ["0", "0", "0", "2", "0", "0", "2", "1"]
    assert body[(health, "Coalition assesses")] == ["0", "1", "0", "1", "0", "0", "2"]
    assert body[(education, "Government reports")] == ["0", "0", "0", "0", "0", "1", "1", "0"]
    assert body[(education, "Coalition assesses")] == ["0", "0", "0", "0", "1", "0", "1"]


def test_dashboard_counts_by_lead_actor_and_totals(clean: World, client: Client) -> None:
    _three_items(clean)
    html = _get(clean, client).content.decode()
    rows = table(html, "Progress by lead actor")
    labels = [r[0] for r in rows[1::2]]
    # Organisation A supports item A but leads only item C.
    assert sorted(labels) == sorted([clean.org_a.name_en, clean.org_b.name_en])
    by_label = {r[0]: r for r in rows[1::2]}
    assert by_label[clean.org_b.name_en][2:] == ["0", "0", "0", "2", "0", "0", "2", "1"]
    assert by_label[clean.org_a.name_en][2:] == ["0", "0", "0", "0", "0", "1", "1", "0"]
    overall = table(html, "All items")
    assert overall[1][2:] == ["0", "0", "0", "2", "0", "1", "3", "1"]
    assert overall[2][1:] == ["0", "1", "0", "1", "1", "0", "3"]
    assert re.search(r'data-total="items">\s*3<', html)
    assert re.search(r'data-total="gap">\s*1<', html)
    assert re.search(r'data-total="government-implemented">\s*2<', html)
    assert re.search(r'data-total="coalition-implemented">\s*1<', html)


def test_svg_charts_carry_the_same_numbers_as_the_tables(clean: World, client: Client) -> None:
    _three_items(clean)
    html = _get(clean, client).content.decode()
    chart = svg(html, "chart-theme")
    assert 'role="img"' in html[html.rindex("<svg", 0, html.index('id="chart-theme-title"')) :]
    health = Theme.objects.get(code="health").name_en
    assert f"<title>{health}</title>" in chart
    assert "Government reports · Implemented: 2</title>" in chart
    assert "Coalition assesses · In progress: 1</title>" in chart
    assert "Coalition assesses · Implemented: 1</title>" in chart
    assert "Coalition assesses · Regressed: 1</title>" in chart
    assert "Government reports · No assessment yet: 1</title>" in chart
    # Nothing is drawn for a status with no items.
    assert "Not started:" not in chart
    # The widest bars (two items) are the full length; one item is half of it.
    widths = re.findall(r'width="([\d.]+)" height="18" class="seg seg-implemented"', chart)
    assert sorted(float(w) for w in widths) == [150.0, 300.0]
    assert 'class="legend' not in chart and 'class="chart-legend"' in html


def test_gap_list_links_to_the_items_whose_views_differ(clean: World, client: Client) -> None:
    items = _three_items(clean)
    html = _get(clean, client).content.decode()
    section = html[html.index('id="gap-heading"') : html.index('id="overall-heading"')]
    assert f"/commitments/items/{items['a'].pk}/" in section
    assert f"/commitments/items/{items['b'].pk}/" not in section
    assert f"/commitments/items/{items['c'].pk}/" not in section


def test_dashboard_is_empty_without_items(clean: World, client: Client) -> None:
    response = _get(clean, client)
    assert response.status_code == 200
    assert "No item has a government report" in response.content.decode()


def test_labels_follow_the_language(clean: World) -> None:
    _three_items(clean)
    khmer = login(Client(headers={"accept-language": "km"}), clean.user(Role.MONITOR))
    html = khmer.get("/commitments/dashboard/").content.decode()
    assert Theme.objects.get(code="health").name_km in html
    assert 'lang="km"' in html
    # Khmer writes decimals with a comma; SVG coordinates must not.
    chart = svg(html, "chart-theme")
    coordinates = re.findall(r'(?:x|y|width)="([^"]*)"', chart)
    assert coordinates and all(re.fullmatch(r"\d+(\.\d+)?", c) for c in coordinates)
    with translation.override("km"):
        assert svg_number(300 / 7) == "42.9"


def test_long_labels_are_shortened_whole() -> None:
    khmer = "ការការពារកុមារដែលត្រូវបានដកហូតសេរីភាពនៅក្នុងមណ្ឌលឃុំឃាំងនិងកន្លែងផ្សេងៗទៀតនៅកម្ពុជា"
    short = shorten(khmer, 20)
    assert short.endswith("…") and len(short) <= 20
    assert not short[:-1].endswith("\u17d2")
    assert shorten("Short label") == "Short label"


def test_dashboard_query_count_does_not_grow_with_items(clean: World, client: Client) -> None:
    sec = secretariat(clean)
    themes = ["health", "education", "data", "torture"]

    def add(n: int) -> None:
        for i in range(n):
            item = make_item(clean, themes=themes[i % 4 : i % 4 + 2])
            services.actor_set(
                actor=sec, item=item, organisation=[clean.org_a, clean.org_b][i % 2], role="lead"
            )
            assess(clean, item, perspective="coalition", status="in_progress", state=PUBLISHED)
            assess(clean, item, perspective="government", status="implemented", state=PUBLISHED)

    client = login(client, clean.user(Role.ANALYST))
    add(2)
    client.get("/commitments/dashboard/")
    few = query_count(lambda: client.get("/commitments/dashboard/"))
    add(8)
    many = query_count(lambda: client.get("/commitments/dashboard/"))
    assert few == many


def test_dashboard_needs_signing_in(client: Client, world: World) -> None:
    response = client.get("/commitments/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
