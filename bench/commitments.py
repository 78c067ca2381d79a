"""The commitments section of `make bench`: the progress dashboard and the tracker's pages at N
items.

N synthetic items (BENCH_SCALE=small: 5,000; large: 100,000; BENCH_COMMITMENTS_N overrides) go
straight into the tables with bulk_create — never through the services, which audit every row and
write a history line per change. They come from a few sources, each with a unique reference and
a kind; their materialised government and coalition statuses are a realistic mix (about 15 % of
items with both views recorded and differing), about 70 % are on the public site, each has one
to three themes, most a lead government ministry (and some a supporting one), and two to four
lines of history.

Measured:
- the dashboard's aggregates for a signed-in analyst — `selectors.progress_by` by theme and by
  lead actor, and `selectors.progress_totals` — against hand-written SQL (one GROUP BY each)
  that must give the same numbers. Target: ORM/SQL ≤ 1.5 (reported, like the cases watch).
- /commitments/ and /commitments/dashboard/ as the analyst, /progress/ and /progress/items/
  anonymously, through Django's test client: median and p95 over 30 requests, and the number
  of queries per request after 1,000 items and again after N, which must be equal.

Each measurement repeats until it has its samples or has spent BENCH_COMMITMENTS_BUDGET_S
seconds (default 60; one sample at least). With BENCH_COMMITMENTS_N set, `bench/run.py` runs
this section only.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cases import summary  # bench/cases.py
from django.db import connection, transaction
from django.utils import timezone

N_ITEMS = {"small": 5_000, "large": 100_000}
FIRST_SIZE = 1_000  # query counts are taken here and again at N
AGGREGATE_REPEAT = 15
PAGE_REPEAT = 30
BUDGET_S = float(os.environ.get("BENCH_COMMITMENTS_BUDGET_S", "60"))
TARGET_RATIO = 1.5
BATCH = 5_000
N_MINISTRIES = 6
SOURCES = [
    ("global_study", "UN Global Study", "recommendation"),
    ("children_requests", "Children's requests", "request"),
    ("crc_observations", "CRC Committee", "observation"),
    ("upr", "UPR Working Group", "recommendation"),
    ("world_congress", "World Congress", "pledge"),
    ("action_plan", "Ministry of Social Affairs", "pledge"),
    ("monitoring", "Coalition monitors", "finding"),
    ("coalition_statement", "Coalition secretariat", "observation"),
]
STATUSES = ["not_started", "in_progress", "partly_implemented", "implemented", "regressed"]
STATUS_WEIGHTS = [25, 35, 20, 15, 5]
# (government, coalition) recorded: both and agreeing, both and differing, one only, neither.
VIEW_MIX = [("agree", 55), ("differ", 15), ("government", 7), ("coalition", 8), ("none", 15)]
PUBLISHED_SHARE = 0.7


def commitments_n(scale: str) -> int:
    return int(os.environ.get("BENCH_COMMITMENTS_N") or N_ITEMS[scale])


def sample(fns: list[Callable[[], object]], repeat: int) -> list[list[float]]:
    """Time each of `fns` in turn, `repeat` rounds or until BUDGET_S is spent (one at least)."""
    out: list[list[float]] = [[] for _ in fns]
    stop = time.perf_counter() + BUDGET_S
    while len(out[0]) < repeat and (not out[0] or time.perf_counter() < stop):
        for fn, samples in zip(fns, out, strict=True):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return out


@dataclass
class World:
    now: dt.datetime
    today: dt.date
    analyst: Any
    actor_id: int  # who the history lines name
    source_ids: list[tuple[int, str]]  # (pk, item kind)
    theme_ids: list[int]
    ministry_ids: list[int]
    inserted: int = 0
    rows: int = 0  # every row written: items, themes, actors, events
    insert_s: float = 0.0


def make_world() -> World:
    from komar.accounts.models import Membership, User
    from komar.accounts.roles import Role
    from komar.commitments.models import Source, Theme
    from komar.organisations.models import Organisation

    orgs = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:1])
    assert orgs, "the organisations reference data is not loaded"
    analyst = User.objects.create_user(email="commitments-bench@example.invalid")
    Membership.objects.create(user=analyst, organisation_id=orgs[0], role=Role.ANALYST.value)
    ministries = Organisation.objects.bulk_create(
        Organisation(slug=f"bench-ministry-{i}", name_en=f"Bench Ministry {i}",
                     name_km=f"ក្រសួង {i}", kind=Organisation.Kind.GOVERNMENT)
        for i in range(N_MINISTRIES)
    )  # fmt: skip
    today = timezone.localdate()
    sources = Source.objects.bulk_create(
        Source(code=f"bench-{code}", type=code, title_en=f"Bench {title}",
               title_km=f"ឯកសារ {i}", date=today - dt.timedelta(days=200 * (i + 1)),
               issuing_body_en=title)
        for i, (code, title, _kind) in enumerate(SOURCES)
    )  # fmt: skip
    themes = list(Theme.objects.values_list("pk", flat=True))
    assert themes, "the commitments vocabularies are not loaded"
    return World(
        now=timezone.now(),
        today=today,
        analyst=analyst,
        actor_id=analyst.pk,
        source_ids=[(s.pk, kind) for s, (_c, _t, kind) in zip(sources, SOURCES, strict=True)],
        theme_ids=themes,
        ministry_ids=[m.pk for m in ministries],
    )


def statuses(rng: random.Random) -> tuple[str, str]:
    mix = rng.choices([m for m, _ in VIEW_MIX], weights=[w for _, w in VIEW_MIX])[0]
    gov = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
    if mix == "agree":
        return gov, gov
    if mix == "differ":
        return gov, rng.choice([s for s in STATUSES if s != gov])
    if mix == "government":
        return gov, ""
    if mix == "coalition":
        return "", gov
    return "", ""


def insert_items(w: World, count: int) -> float:
    """Add `count` items with their themes, actors and history, in batches of BATCH."""
    from komar.commitments.models import Item, ItemActor, ItemEvent
    from komar.commitments.services import PUBLIC_EVENTS

    Through = Item.themes.through
    start = time.perf_counter()
    rng = random.Random(w.inserted * 7919 + 13)
    with transaction.atomic():
        for first in range(w.inserted, w.inserted + count, BATCH):
            size = min(BATCH, w.inserted + count - first)
            items = []
            for i in range(first, first + size):
                source_id, kind = w.source_ids[i % len(w.source_ids)]
                gov, coal = statuses(rng)
                gov_on = w.today - dt.timedelta(days=rng.randint(1, 700)) if gov else None
                coal_on = w.today - dt.timedelta(days=rng.randint(1, 700)) if coal else None
                items.append(
                    Item(source_id=source_id, reference=f"BENCH/{source_id}/R{i}",
                         paragraph=str(i % 200), kind=kind,
                         text_en=f"Ensure that every child deprived of liberty ({i}) has "
                                 "prompt access to legal aid and to family contact.",
                         text_km=f"ធានាថាកុមារគ្រប់រូប ({i})",
                         summary_en="Children in detention should get a lawyer quickly.",
                         state_response=rng.choice(["", "supported", "supported_in_part",
                                                    "noted"]) if kind == "recommendation" else "",
                         due_on=w.today + dt.timedelta(days=rng.randint(-400, 800))
                         if rng.random() < 0.4 else None,
                         is_archived=rng.random() < 0.02,
                         is_published=rng.random() < PUBLISHED_SHARE,
                         government_status=gov, government_status_on=gov_on,
                         coalition_status=coal, coalition_status_on=coal_on)
                )  # fmt: skip
            Item.objects.bulk_create(items)
            themes, actors, events = [], [], []
            for item in items:
                for theme_id in rng.sample(w.theme_ids, rng.randint(1, 3)):
                    themes.append(Through(item_id=item.pk, theme_id=theme_id))
                lead, support = rng.sample(w.ministry_ids, 2)
                if rng.random() < 0.9:
                    actors.append(ItemActor(item_id=item.pk, organisation_id=lead, role="lead"))
                if rng.random() < 0.2:
                    actors.append(
                        ItemActor(item_id=item.pk, organisation_id=support, role="supporting")
                    )
                age = rng.randint(30, 730)
                history: list[tuple[str, dict[str, Any]]] = [("created", {})]
                if item.state_response:
                    history.append(("response", {"response": item.state_response}))
                if item.is_published:
                    history.append(("published", {}))
                for perspective, status, on in (
                    ("government", item.government_status, item.government_status_on),
                    ("coalition", item.coalition_status, item.coalition_status_on),
                ):
                    if status and on and len(history) < 4:
                        history.append(("assessment", {"perspective": perspective,
                                                       "status": status,
                                                       "assessed_on": on.isoformat()}))  # fmt: skip
                if len(history) < 2:
                    history.append(("updated", {"fields": ["summary_en"]}))
                for k, (kind, detail) in enumerate(history):
                    at = w.now - dt.timedelta(
                        days=max(0, age - 60 * k), minutes=rng.randint(0, 600)
                    )
                    public = kind in PUBLIC_EVENTS
                    events.append(
                        ItemEvent(
                            item_id=item.pk,
                            at=at,
                            kind=kind,
                            actor_id=w.actor_id,
                            detail=detail,
                            public=public,
                        )
                    )
            Through.objects.bulk_create(themes, batch_size=BATCH)
            ItemActor.objects.bulk_create(actors, batch_size=BATCH)
            ItemEvent.objects.bulk_create(events, batch_size=BATCH)
            w.rows += len(items) + len(themes) + len(actors) + len(events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would have done by now
            for table in ("commitments_item", "commitments_item_themes",
                          "commitments_itemactor", "commitments_itemevent"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    elapsed = time.perf_counter() - start
    w.inserted += count
    w.insert_s += elapsed
    return elapsed


# The dashboard's aggregates: the selectors against hand-written SQL ----------------------------

# Every (dimension, government status, coalition status) with its number of items: the
# selectors' rows are folded from this in Python (an item has a theme, or a lead actor, once).
THEME_SQL = """
SELECT t.id, t.name_en, t.name_km, t.sort_order, i.government_status, i.coalition_status,
  COUNT(*)
FROM commitments_item i
JOIN commitments_item_themes it ON it.item_id = i.id
JOIN commitments_theme t ON t.id = it.theme_id
WHERE i.is_archived = %s
GROUP BY t.id, t.name_en, t.name_km, t.sort_order, i.government_status, i.coalition_status
"""
ACTOR_SQL = """
SELECT o.id, o.name_en, o.name_km, 0, i.government_status, i.coalition_status, COUNT(*)
FROM commitments_item i
JOIN commitments_itemactor a ON a.item_id = i.id AND a.role = 'lead'
JOIN organisations_organisation o ON o.id = a.organisation_id
WHERE i.is_archived = %s
GROUP BY o.id, o.name_en, o.name_km, i.government_status, i.coalition_status
"""
TOTALS_SQL = """
SELECT government_status, coalition_status, COUNT(*) FROM commitments_item
WHERE is_archived = %s GROUP BY government_status, coalition_status
"""


def is_gap(gov: str, coal: str) -> bool:
    return bool(gov and coal and gov != coal)


def sql_progress_by(query: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(query, [False])
        found = cursor.fetchall()
    rows: dict[Any, dict[str, Any]] = {}
    order: dict[Any, int] = {}
    for key, label_en, label_km, sort_order, gov, coal, n in found:
        order[key] = sort_order
        empty = {"key": key, "label_en": label_en, "label_km": label_km, "total": 0, "gap": 0,
                 "government": {}, "coalition": {}}  # fmt: skip
        row = rows.setdefault(key, empty)
        row["government"][gov] = row["government"].get(gov, 0) + n
        row["coalition"][coal] = row["coalition"].get(coal, 0) + n
        row["total"] += n
        row["gap"] += n if is_gap(gov, coal) else 0
    return sorted(rows.values(), key=lambda r: (order[r["key"]], r["label_en"] or ""))


def sql_totals() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, [False])
        found = cursor.fetchall()
    out: dict[str, Any] = {"total": 0, "gap": 0, "government": {}, "coalition": {}}
    for gov, coal, n in found:
        out["total"] += n
        out["gap"] += n if is_gap(gov, coal) else 0
        out["government"][gov] = out["government"].get(gov, 0) + n
        out["coalition"][coal] = out["coalition"].get(coal, 0) + n
    return out


def fresh_analyst(w: World) -> Any:
    """The analyst as a request would have it: no cached memberships."""
    from komar.accounts.models import User

    return User.objects.get(pk=w.analyst.pk)


def compare(ours: Callable[[], object], base: Callable[[], object]) -> dict[str, Any]:
    """Warm up, then time ours and the baseline alternately."""
    ours(), base()
    ours_t, base_t = sample([ours, base], AGGREGATE_REPEAT)
    o, b = statistics.median(ours_t), statistics.median(base_t)
    return {"orm": summary(ours_t), "sql": summary(base_t), "ratio": round(o / b, 2)}


def bench_aggregates(w: World) -> dict[str, Any]:
    from komar.commitments import selectors

    user = fresh_analyst(w)
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "progress_by_theme": (
            lambda: selectors.progress_by(user=user, dimension="theme"),
            lambda: sql_progress_by(THEME_SQL),
        ),
        "progress_by_actor": (
            lambda: selectors.progress_by(user=user, dimension="actor"),
            lambda: sql_progress_by(ACTOR_SQL),
        ),
        "progress_totals": (lambda: selectors.progress_totals(user=user), sql_totals),
    }
    out: dict[str, Any] = {}
    for name, (ours, base) in pairs.items():
        assert ours() == base(), f"{name}: the selectors and the SQL disagree"
        out[name] = compare(ours, base)
    totals = sql_totals()
    out["items_current"] = totals["total"]
    out["items_with_gap"] = totals["gap"]
    return out


# Pages ----------------------------------------------------------------------------------------

PAGES = {  # name: (url, signed in as the analyst)
    "list": ("/commitments/", True),
    "dashboard": ("/commitments/dashboard/", True),
    "progress_home": ("/progress/", False),
    "progress_items": ("/progress/items/", False),
}


class Pages:
    def __init__(self, w: World) -> None:
        from django.test import Client

        self.analyst = Client(headers={"accept-language": "en"})
        self.analyst.force_login(
            w.analyst, backend="allauth.account.auth_backends.AuthenticationBackend"
        )
        self.visitor = Client(headers={"accept-language": "en"})

    def get(self, url: str, signed_in: bool) -> None:
        response = (self.analyst if signed_in else self.visitor).get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"

    def measure(self, timed: bool) -> dict[str, dict[str, Any]]:
        """Per page: the queries of one request (after a first one, which warms up), and if
        `timed` the request's median and p95 over PAGE_REPEAT more."""
        from django.test.utils import CaptureQueriesContext

        out = {}
        for name, (url, signed_in) in PAGES.items():
            if not timed:  # the first visit; later ones reuse its warm caches
                self.get(url, signed_in)
            with CaptureQueriesContext(connection) as ctx:
                self.get(url, signed_in)
            out[name] = {"url": url, "signed_in": signed_in,
                         "queries": len(ctx.captured_queries),
                         "sql": [q["sql"][:300] for q in ctx.captured_queries]}  # fmt: skip
            if timed:
                fn = lambda url=url, s=signed_in: self.get(url, s)  # noqa: E731
                out[name].update(summary(sample([fn], PAGE_REPEAT)[0]))
        return out


def run_commitments(scale: str) -> dict[str, Any]:
    n = commitments_n(scale)
    w = make_world()
    insert_items(w, min(FIRST_SIZE, n))
    pages = Pages(w)
    queries_small = pages.measure(timed=False)
    insert_items(w, n - w.inserted)
    aggregates = bench_aggregates(w)
    pages_n = pages.measure(timed=True)
    timings = {k: {x: v[x] for x in ("url", "signed_in", "median_ms", "p95_ms", "samples")}
               for k, v in pages_n.items()}  # fmt: skip
    query_counts = {
        name: {"at_1000": queries_small[name]["queries"], f"at_{n}": pages_n[name]["queries"]}
        for name in pages_n
    }
    grown = {k: v for k, v in query_counts.items() if len(set(v.values())) > 1}
    names = ("progress_by_theme", "progress_by_actor", "progress_totals")
    worst_ratio = max(aggregates[k]["ratio"] for k in names)
    return {
        "n": n,
        "database": connection.vendor,
        "generation": {
            "items": n,
            "rows": w.rows,
            "seconds": round(w.insert_s, 2),
            "items_per_s": round(n / w.insert_s),
            "rows_per_s": round(w.rows / w.insert_s),
        },
        "aggregates": aggregates,
        "pages": timings,
        "query_counts": query_counts,
        "query_sql_at_n": {k: v["sql"] for k, v in pages_n.items()} if grown else {},
        "targets": {
            "aggregate_ratio_max": TARGET_RATIO,
            "aggregate_ratio": worst_ratio,
            "aggregate_ratio_pass": worst_ratio <= TARGET_RATIO,
            "queries_constant_pass": not grown,
        },
    }


def print_commitments(c: dict[str, Any]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    t = c["targets"]
    g = c["generation"]
    a = c["aggregates"]
    print(f"\ncommitments ({c['n']} items, {c['database']})")
    print(f"  generated {g['items']} items ({g['rows']} rows with themes, actors and history) "
          f"in {g['seconds']:.1f} s ({g['items_per_s']} items/s, {g['rows_per_s']} rows/s); "
          f"{a['items_current']} current, {a['items_with_gap']} with a gap")  # fmt: skip
    print(f"  {'dashboard aggregate':<26}{'ORM med':>9}{'ORM p95':>9}{'SQL med':>9}{'SQL p95':>9}"
          f"{'ratio':>7}{'samples':>8}")  # fmt: skip
    for key in ("progress_by_theme", "progress_by_actor", "progress_totals"):
        r = a[key]
        orm, sql = r["orm"], r["sql"]
        print(f"  {key:<26}{orm['median_ms']:>9.1f}{orm['p95_ms']:>9.1f}"
              f"{sql['median_ms']:>9.1f}{sql['p95_ms']:>9.1f}{r['ratio']:>7.2f}"
              f"{orm['samples']:>8}")  # fmt: skip
    print(f"  {'page':<32}{'median ms':>10}{'p95 ms':>9}{'samples':>8}{'queries':>9}")
    for name, r in c["pages"].items():
        counts = "→".join(str(v) for v in c["query_counts"][name].values())
        url = r["url"] + ("" if r["signed_in"] else " (anon)")
        print(f"  {url:<32}{r['median_ms']:>10.1f}{r['p95_ms']:>9.1f}{r['samples']:>8}"
              f"{counts:>9}")  # fmt: skip
    print(f"  dashboard ORM/SQL {t['aggregate_ratio']:.2f} ≤ {t['aggregate_ratio_max']}: "
          f"{verdict(t['aggregate_ratio_pass'])}; queries per page constant "
          f"(1,000 → {c['n']}): {verdict(t['queries_constant_pass'])}")  # fmt: skip
