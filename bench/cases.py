"""The cases section of `make bench`: the watch list and the case list at N cases.

N synthetic cases (BENCH_SCALE=small: 20,000; large: 1,000,000; BENCH_CASES_N overrides) go
straight into the tables — raw INSERTs on SQLite, COPY on PostgreSQL; never through the services,
which encrypt identities and write audit events. About 60 % belong to the bench user's
organisation (a caseworker with two-factor set up), the rest to three others, a few of which are
referred to it.

Measured:
- the watch list for the bench user's organisation (the first page of 25 and the band counts;
  the whole list as primary keys) through `komar.cases.selectors` against hand-written SQL that
  must return the same rows in the same order and the same counts. Target: ORM/SQL ≤ 1.5.
- the case list's first page, a page halfway down (by its keyset cursor) and its last page, and
  /cases/watch/, through Django's test client: p95 over 30 requests (target: the case list
  under 300 ms at 1,000,000 cases), and the number of queries per request after 1,000 cases and
  again after N, which must be equal.

Each measurement repeats until it has its samples or has spent BENCH_CASES_BUDGET_S seconds
(default 60; one sample at least), so a pathologically slow page is reported from fewer samples
rather than keeping the bench busy for hours. With BENCH_CASES_N set, `bench/run.py` runs this
section only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

N_CASES = {"small": 20_000, "large": 1_000_000}
FIRST_SIZE = 1_000  # query counts are taken here and again at N
PAGE_SIZE = 25
WATCH_REPEAT = 15
PAGE_REPEAT = 30
# Seconds each measurement may take before it stops repeating (after at least one sample): a
# page that takes minutes at 1,000,000 cases is reported from fewer samples, not run for hours.
BUDGET_S = float(os.environ.get("BENCH_CASES_BUDGET_S", "60"))
TARGET_RATIO = 1.5
TARGET_LIST_P95_MS = 300.0
BATCH = 20_000

COLUMNS = [
    "code", "status", "opened_on", "closed_on", "close_reason", "close_note", "offence_date",
    "primero_case_id", "mosvy_number", "oscar_global_id", "anonymised_at", "version",
    "created_at", "updated_at", "age_at_offence", "age_estimated", "legal_status", "trial_stage",
    "detained", "status_since", "detained_since", "offence_class", "current_place_text",
    "held_with_adults", "below_min_age", "deadline_at", "deadline_kind", "deadline_unverified",
    "deadline_note", "next_hearing_on", "computed_at", "created_by_id", "current_place_id",
    "lawyer_id", "organisation_id", "province_id", "social_worker_id", "deadline_rule_id",
    "ruleset_id",
]  # fmt: skip

# Open cases' legal status (weights); closed cases are "released".
LEGAL_STATUSES = [
    ("not_detained", 8), ("police_custody", 4), ("pretrial_detention", 34),
    ("immediate_appearance", 3), ("convicted", 5), ("appeal", 5), ("sentenced", 22),
    ("acquitted", 1), ("at_liberty", 10), ("diversion", 8),
]  # fmt: skip
DETAINED = {"police_custody", "pretrial_detention", "immediate_appearance", "convicted", "appeal",
            "sentenced", "acquitted"}  # fmt: skip
TRIAL_STAGE = {"police_custody": "not_tried", "pretrial_detention": "not_tried",
               "immediate_appearance": "not_tried", "convicted": "awaiting_final",
               "appeal": "awaiting_final", "sentenced": "convicted"}  # fmt: skip
DEADLINE_KIND = {"police_custody": "police_custody", "immediate_appearance": "immediate_appearance",
                 "convicted": "pretrial_detention", "appeal": "pretrial_detention",
                 "acquitted": "pretrial_detention"}  # fmt: skip
# A detained child's next deadline: (band, weight); minutes from now in each band.
DEADLINE_BANDS = [("past", 4), ("within_7", 8), ("within_30", 15), ("later", 53), ("none", 20)]
DAY = 1440  # minutes
BAND_MINUTES = {
    "past": (-20 * DAY, 0),
    "within_7": (1, 7 * DAY),
    "within_30": (7 * DAY + 1, 30 * DAY),
    "later": (30 * DAY + 1, 365 * DAY),
}
ORG_SHARES = [0.6, 0.2, 0.1, 0.1]  # the bench user's organisation first
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def cases_n(scale: str) -> int:
    return int(os.environ.get("BENCH_CASES_N") or N_CASES[scale])


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(p95(samples) * 1000, 2), "samples": len(samples)}  # fmt: skip


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


def case_code(i: int) -> str:
    """C-XXXX-XXXX like `new_case_code`, but counting up (unique, and appended to the index)."""
    digits = []
    for _ in range(8):
        i, d = divmod(i, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[d])
    body = "".join(reversed(digits))
    return f"C-{body[:4]}-{body[4:]}"


@dataclass
class World:
    now: dt.datetime
    today: dt.date
    user: Any  # the bench caseworker
    org_ids: list[int]  # the bench user's organisation first
    lawyer_ids: list[int]
    place_ids: list[int]
    province_ids: list[int]
    rules_by_kind: dict[str, list[int]]
    ruleset_id: int
    inserted: int = 0
    insert_s: float = 0.0
    _days: dict[int, str] = field(default_factory=dict)
    _minutes: dict[int, Any] = field(default_factory=dict)

    def day(self, offset: int) -> str:
        """today + offset days, as the database takes it."""
        value = self._days.get(offset)
        if value is None:
            value = connection.ops.adapt_datefield_value(self.today + dt.timedelta(days=offset))
            self._days[offset] = value
        return value

    def at(self, minutes: int) -> Any:
        """now + minutes (in steps of ten), as the database takes it."""
        minutes -= minutes % 10
        value = self._minutes.get(minutes)
        if value is None:
            moment = self.now + dt.timedelta(minutes=minutes)
            value = connection.ops.adapt_datetimefield_value(moment)
            self._minutes[minutes] = value
        return value


def make_world() -> World:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from komar.accounts.models import Membership, User
    from komar.accounts.roles import Role
    from komar.cases.models import LegalRule, RuleSet
    from komar.geo.models import Province
    from komar.organisations.models import Organisation
    from komar.places.models import Place

    orgs = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:4])
    assert len(orgs) == 4, "the organisations reference data is not loaded"
    user = User.objects.create_user(email="cases-bench@example.invalid")
    Membership.objects.create(user=user, organisation_id=orgs[0], role=Role.CASEWORKER.value)
    TOTP.activate(user, generate_totp_secret())  # caseworkers must use two-factor sign-in
    lawyers = [User.objects.create_user(email=f"lawyer-{i}@example.invalid") for i in range(30)]
    ruleset = RuleSet.objects.get(code="kh")
    rules: dict[str, list[int]] = {}
    for pk, kind in LegalRule.objects.filter(ruleset=ruleset).values_list("pk", "kind"):
        rules.setdefault(kind, []).append(pk)
    now = timezone.now()
    return World(
        now=now,
        today=timezone.localdate(now),
        user=user,
        org_ids=orgs,
        lawyer_ids=[u.pk for u in lawyers],
        place_ids=list(Place.objects.values_list("pk", flat=True)),
        province_ids=list(Province.objects.values_list("pk", flat=True)),
        rules_by_kind=rules,
        ruleset_id=ruleset.pk,
    )


def case_rows(w: World, start: int, count: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(start * 7919 + 11)
    statuses = [s for s, _ in LEGAL_STATUSES]
    status_cum = list(itertools.accumulate(wt for _, wt in LEGAL_STATUSES))
    bands = [b for b, _ in DEADLINE_BANDS]
    band_cum = list(itertools.accumulate(wt for _, wt in DEADLINE_BANDS))
    org_cum = list(itertools.accumulate(ORG_SHARES))
    stamp = w.at(-60)
    classes = ["felony", "misdemeanour", "petty"]
    pretrial_rules = w.rules_by_kind.get("pretrial_detention", [None])
    for i in range(start, start + count):
        r = rng.random()
        org = w.org_ids[next(k for k, c in enumerate(org_cum) if r < c or k == 3)]
        is_open = rng.random() < 0.75
        if is_open:
            opened = -rng.randint(0, 3 * 365)
            closed_on, close_reason = None, ""
            legal = rng.choices(statuses, cum_weights=status_cum)[0]
        else:
            opened = -rng.randint(200, 6 * 365)
            closed_on = w.day(min(0, opened + rng.randint(30, 400)))
            close_reason, legal = "released", "released"
        detained = legal in DETAINED
        deadline = kind = rule = None
        if detained:
            band = rng.choices(bands, cum_weights=band_cum)[0]
            if legal == "sentenced" and band != "none":
                band = "later" if rng.random() < 0.9 else band
        elif is_open and legal in ("at_liberty", "not_detained") and rng.random() < 0.05:
            band = "later"
        else:
            band = "none"
        if band != "none":
            deadline = w.at(rng.randint(*BAND_MINUTES[band]))
            kind = DEADLINE_KIND.get(legal, "pretrial_detention")
            rule = rng.choice(w.rules_by_kind.get(kind, pretrial_rules))
        hearing = None
        if is_open and rng.random() < 0.2:
            hearing = w.day(-rng.randint(1, 60) if rng.random() < 0.5 else rng.randint(1, 90))
        yield (
            case_code(i), "open" if is_open else "closed", w.day(opened), closed_on,
            close_reason, "", w.day(opened - rng.randint(0, 10)), "", "", "", None, 1,
            stamp, stamp, rng.randint(11, 17), rng.random() < 0.1, legal,
            TRIAL_STAGE.get(legal, ""), detained, stamp, w.day(opened) if detained else None,
            rng.choice(classes), "", detained and rng.random() < 0.01,
            detained and rng.random() < 0.003, deadline, kind or "", rng.random() < 0.05, "",
            hearing, stamp, w.user.pk, rng.choice(w.place_ids) if detained else None,
            rng.choice(w.lawyer_ids) if rng.random() < 0.85 else None, org,
            rng.choice(w.province_ids), rng.choice(w.lawyer_ids) if rng.random() < 0.7 else None,
            rule, w.ruleset_id,
        )  # fmt: skip


def insert_cases(w: World, count: int) -> float:
    """Add `count` cases (and refer every 500th of another organisation to the bench user's)."""
    from komar.cases.models import Case, Referral

    start = time.perf_counter()
    rows = case_rows(w, w.inserted, count)
    columns = ", ".join(COLUMNS)
    first_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY cases_case ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO cases_case ({columns}) VALUES ({marks})"  # noqa: S608
            while batch := list(itertools.islice(rows, BATCH)):
                cursor.executemany(sql, batch)
        referred = Case.objects.filter(pk__gte=first_pk).exclude(organisation_id=w.org_ids[0])
        Referral.objects.bulk_create(
            Referral(case_id=pk, to_organisation_id=w.org_ids[0], reason="bench",
                     status=Referral.Status.ACCEPTED, created_by=w.user)
            for pk in referred.values_list("pk", flat=True)[::500]
        )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would have done by now
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE cases_referral")
    elapsed = time.perf_counter() - start
    w.inserted += count
    w.insert_s += elapsed
    return elapsed


# The watch list: the selectors against hand-written SQL -----------------------------------------

WATCH_WHERE = """
c.organisation_id = %s AND c.status = 'open' AND (
  c.deadline_at <= %s OR c.below_min_age OR (c.detained AND c.held_with_adults)
  OR (c.detained AND c.lawyer_id IS NULL) OR c.next_hearing_on < %s)
"""
WATCH_PAGE_SQL = f"""
SELECT c.*, o.*, l.*, p.*, r.*,
  CASE WHEN c.deadline_at IS NULL THEN '' WHEN c.deadline_at <= %s THEN 'past'
       WHEN c.deadline_at <= %s THEN 'within_7' WHEN c.deadline_at <= %s THEN 'within_30'
       ELSE 'later' END AS band
FROM cases_case c
JOIN organisations_organisation o ON o.id = c.organisation_id
LEFT JOIN accounts_user l ON l.id = c.lawyer_id
LEFT JOIN places_place p ON p.id = c.current_place_id
LEFT JOIN cases_legalrule r ON r.id = c.deadline_rule_id
WHERE {WATCH_WHERE}
ORDER BY c.deadline_at ASC NULLS LAST, c.opened_on, c.id
LIMIT {PAGE_SIZE}
"""  # noqa: S608 — constants only
WATCH_COUNTS_SQL = f"""
SELECT COUNT(CASE WHEN c.deadline_at <= %s THEN 1 END),
  COUNT(CASE WHEN c.deadline_at > %s AND c.deadline_at <= %s THEN 1 END),
  COUNT(CASE WHEN c.deadline_at > %s AND c.deadline_at <= %s THEN 1 END),
  COUNT(CASE WHEN c.below_min_age THEN 1 END),
  COUNT(CASE WHEN c.detained AND c.held_with_adults THEN 1 END),
  COUNT(CASE WHEN c.detained AND c.lawyer_id IS NULL THEN 1 END),
  COUNT(CASE WHEN c.next_hearing_on < %s THEN 1 END)
FROM cases_case c WHERE {WATCH_WHERE}
"""  # noqa: S608
WATCH_ALL_SQL = (
    f"SELECT c.id FROM cases_case c WHERE {WATCH_WHERE} "  # noqa: S608
    "ORDER BY c.deadline_at ASC NULLS LAST, c.opened_on, c.id"
)


class WatchSQL:
    def __init__(self, w: World) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        self.now = adapt(w.now)
        self.d7 = adapt(w.now + dt.timedelta(days=7))
        self.d30 = adapt(w.now + dt.timedelta(days=30))
        self.where = [w.org_ids[0], self.d30, connection.ops.adapt_datefield_value(w.today)]
        self.today = self.where[2]

    def first_page(self) -> tuple[list[tuple[int, str]], dict[str, int]]:
        from komar.cases.selectors import WATCH_COUNTS

        with connection.cursor() as cursor:
            cursor.execute(WATCH_PAGE_SQL, [self.now, self.d7, self.d30, *self.where])
            rows = [(row[0], row[-1]) for row in cursor.fetchall()]
            cursor.execute(WATCH_COUNTS_SQL, [self.now, self.now, self.d7, self.d7, self.d30,
                                              self.today, *self.where])  # fmt: skip
            counts = dict(zip(WATCH_COUNTS, cursor.fetchone(), strict=True))
        return rows, counts

    def all_pks(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(WATCH_ALL_SQL, self.where)
            return [row[0] for row in cursor.fetchall()]


class WatchORM:
    def __init__(self, w: World) -> None:
        self.w = w

    def first_page(self) -> tuple[list[tuple[int, str]], dict[str, int]]:
        from komar.cases.selectors import watch_counts, watch_list

        qs = watch_list(user=self.w.user, now=self.w.now)
        rows = [(case.pk, case.band) for case in qs[:PAGE_SIZE]]
        return rows, watch_counts(qs, now=self.w.now)

    def all_pks(self) -> list[int]:
        from komar.cases.selectors import watch_list

        return list(watch_list(user=self.w.user, now=self.w.now).values_list("pk", flat=True))


def compare(ours: Callable[[], object], base: Callable[[], object]) -> dict[str, Any]:
    """Warm up, then time ours and the baseline alternately."""
    ours(), base()
    ours_t, base_t = sample([ours, base], WATCH_REPEAT)
    o, b = statistics.median(ours_t), statistics.median(base_t)
    return {"orm": summary(ours_t), "sql": summary(base_t), "ratio": round(o / b, 2)}


def bench_watch(w: World) -> dict[str, Any]:
    orm, sql = WatchORM(w), WatchSQL(w)
    rows, counts = orm.first_page()
    assert (rows, counts) == sql.first_page(), "watch list: the selectors and the SQL disagree"
    pks = orm.all_pks()
    assert pks == sql.all_pks(), "watch list: the selectors and the SQL disagree (whole list)"
    assert [pk for pk, _ in rows] == pks[:PAGE_SIZE]
    return {
        "rows": len(pks),
        "counts": counts,
        "first_page_and_counts": compare(orm.first_page, sql.first_page),
        "whole_list_pks": compare(orm.all_pks, sql.all_pks),
    }


# Pages ----------------------------------------------------------------------------------------


def middle_cursor(w: World) -> str:
    """The keyset cursor of the row halfway down the bench organisation's case list (found
    here once with an offset, which the page itself never uses)."""
    from komar.cases.models import Case

    own = Case.objects.filter(organisation_id=w.org_ids[0]).order_by("-opened_on", "-pk")
    opened_on, pk = own.values_list("opened_on", "pk")[own.count() // 2]
    return f"{opened_on.isoformat()}~{pk}"


class Pages:
    """The case list's first, middle and last pages and the watch list, over HTTP."""

    def __init__(self, w: World) -> None:
        from django.test import Client

        self.w = w
        self.client = Client(headers={"accept-language": "en"})
        self.client.force_login(
            w.user, backend="allauth.account.auth_backends.AuthenticationBackend"
        )

    def urls(self) -> dict[str, str]:
        return {"list_first": "/cases/", "list_middle": f"/cases/?after={middle_cursor(self.w)}",
                "list_last": "/cases/?page=last", "watch": "/cases/watch/"}  # fmt: skip

    def get(self, url: str) -> None:
        response = self.client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"

    def measure(self, timed: bool) -> dict[str, dict[str, Any]]:
        """Per page: the queries of one request (after a first one, which warms up), and if
        `timed` the request's median and p95 over PAGE_REPEAT more."""
        from django.test.utils import CaptureQueriesContext

        out = {}
        for name, url in self.urls().items():
            if not timed:  # the first visit; later ones reuse its warm caches
                self.get(url)
            with CaptureQueriesContext(connection) as ctx:
                self.get(url)
            out[name] = {"url": url, "queries": len(ctx.captured_queries),
                         "sql": [q["sql"][:300] for q in ctx.captured_queries]}  # fmt: skip
            if timed:
                out[name].update(summary(sample([lambda url=url: self.get(url)], PAGE_REPEAT)[0]))
        return out


def run_cases(scale: str) -> dict[str, Any]:
    n = cases_n(scale)
    w = make_world()
    insert_cases(w, min(FIRST_SIZE, n))
    pages = Pages(w)
    queries_small = pages.measure(timed=False)
    insert_cases(w, n - w.inserted)
    watch = bench_watch(w)
    pages_n = pages.measure(timed=True)
    timings = {k: {x: v[x] for x in ("url", "median_ms", "p95_ms", "samples")}
               for k, v in pages_n.items()}  # fmt: skip
    from komar.cases.models import Case

    open_in_org = Case.objects.filter(organisation_id=w.org_ids[0], status="open").count()
    query_counts = {
        name: {"at_1000": queries_small[name]["queries"], f"at_{n}": pages_n[name]["queries"]}
        for name in pages_n
    }
    grown = {k: v for k, v in query_counts.items() if len(set(v.values())) > 1}
    worst_ratio = max(watch["first_page_and_counts"]["ratio"], watch["whole_list_pks"]["ratio"])
    list_p95 = max(timings[k]["p95_ms"] for k in ("list_first", "list_middle", "list_last"))
    return {
        "n": n,
        "database": connection.vendor,
        "generation": {
            "rows": n,
            "seconds": round(w.insert_s, 2),
            "rows_per_s": round(n / w.insert_s),
        },
        "open_cases_in_bench_org": open_in_org,
        "watch": watch,
        "pages": timings,
        "query_counts": query_counts,
        "query_sql_at_n": {k: v["sql"] for k, v in pages_n.items()} if grown else {},
        "targets": {
            "watch_ratio_max": TARGET_RATIO,
            "watch_ratio": worst_ratio,
            "watch_ratio_pass": worst_ratio <= TARGET_RATIO,
            "case_list_p95_ms_max": TARGET_LIST_P95_MS,
            "case_list_p95_ms": list_p95,
            "case_list_p95_pass": list_p95 < TARGET_LIST_P95_MS,
            "queries_constant_pass": not grown,
        },
    }


def print_cases(c: dict[str, Any]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    t = c["targets"]
    g = c["generation"]
    print(f"\ncases ({c['n']} cases, {c['database']})")
    print(f"  generated {g['rows']} cases in {g['seconds']:.1f} s ({g['rows_per_s']}/s); "
          f"{c['open_cases_in_bench_org']} open in the bench organisation, "
          f"{c['watch']['rows']} on its watch list")  # fmt: skip
    print(f"  {'watch list':<26}{'ORM med':>9}{'ORM p95':>9}{'SQL med':>9}{'SQL p95':>9}"
          f"{'ratio':>7}{'samples':>8}")  # fmt: skip
    for key in ("first_page_and_counts", "whole_list_pks"):
        r = c["watch"][key]
        orm, sql = r["orm"], r["sql"]
        print(f"  {key:<26}{orm['median_ms']:>9.1f}{orm['p95_ms']:>9.1f}"
              f"{sql['median_ms']:>9.1f}{sql['p95_ms']:>9.1f}{r['ratio']:>7.2f}"
              f"{orm['samples']:>8}")  # fmt: skip
    print(f"  {'page':<32}{'median ms':>10}{'p95 ms':>9}{'samples':>8}{'queries':>9}")
    for name, r in c["pages"].items():
        counts = "→".join(str(v) for v in c["query_counts"][name].values())
        print(f"  {r['url']:<32}{r['median_ms']:>10.1f}{r['p95_ms']:>9.1f}{r['samples']:>8}"
              f"{counts:>9}")  # fmt: skip
    print(f"  watch ORM/SQL {t['watch_ratio']:.2f} ≤ {t['watch_ratio_max']}: "
          f"{verdict(t['watch_ratio_pass'])}; case list p95 {t['case_list_p95_ms']:.0f} ms "
          f"< {t['case_list_p95_ms_max']:.0f} ms: {verdict(t['case_list_p95_pass'])}; "
          f"queries per page constant (1,000 → {c['n']}): "
          f"{verdict(t['queries_constant_pass'])}")  # fmt: skip
