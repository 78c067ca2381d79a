"""`make bench`: synthetic data at scale, timings against hand-written baselines.

Writes var/bench/results.json: {scale, database, scenarios, cases, commitments}. `scenarios` is a
list of {scenario, n, ours_s, baseline_s, ratio} (plus the import's peak memory); `cases` is the
cases section (bench/cases.py: N cases, the watch list against hand-written SQL, the case list
pages' p95 and query counts, with their targets); `commitments` is the commitments section
(bench/commitments.py: N items, the progress dashboard's aggregates against hand-written SQL, the
tracker's and the public progress site's pages' median, p95 and query counts). Prints a table. A
benchmark, not a test: it measures, and checks only that ours and the baseline computed the same
numbers (and that a case list page or a commitments page makes as many queries at N rows as at
1,000).

BENCH_SCALE=small (default, well under 2 minutes) or large (100,000 count returns; 1,000,000
cases; 100,000 commitment items). BENCH_CASES_N=<n> runs only the cases section, with n cases;
BENCH_COMMITMENTS_N=<n> only the commitments section, with n items.
Runs on SQLite in a temporary data folder, or on KOMAR_DATABASE_URL if set (the database is
created if missing), e.g. `.venv/bin/python scripts/with_postgres.py -- make bench`.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

if "KOMAR_DATA_DIR" not in os.environ:  # a throwaway folder (its SQLite file reaches ~1 GB)
    os.environ["KOMAR_DATA_DIR"] = tempfile.mkdtemp(prefix="komar-bench-")
    atexit.register(shutil.rmtree, os.environ["KOMAR_DATA_DIR"], ignore_errors=True)
os.environ.setdefault("KOMAR_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "komar.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django

django.setup()

from cases import print_cases, run_cases  # bench/cases.py
from commitments import print_commitments, run_commitments  # bench/commitments.py
from django.core.management import call_command
from django.db import connection, transaction

SCALES = {"small": (200, 10), "large": (1000, 100)}  # places × reference dates = returns
SCALE = os.environ.get("BENCH_SCALE", "small")
PLACES, DATES = SCALES[SCALE]
N_RETURNS = PLACES * DATES
YEAR = 2026
OUT = Path(__file__).resolve().parents[1] / "var" / "bench" / "results.json"
CELL_COLUMNS = [
    "held.male.16_17.pre_trial",
    "held.male.14_15.pre_trial",
    "held.female.16_17.sentenced",
    "held.male.16_17.awaiting_final",
    "held.female.under_14.police_custody",
    "not_separated",
    "family_visited",
    "admissions",
    "deaths",
]


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def reference_dates() -> list[dt.date]:
    """DATES reference dates ending in YEAR: every (365 // 12) days back from 31 December."""
    end = dt.date(YEAR, 12, 31)
    return [end - dt.timedelta(days=30 * i) for i in range(DATES)]


def write_csv(path: Path) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["place_code", "reference_date", "period_start", "period_end", "total_held",
                         *CELL_COLUMNS])  # fmt: skip
        for day in reference_dates():
            for p in range(PLACES):
                held = [rng.randint(0, 30) for _ in range(5)]
                total = sum(held)
                extra = [
                    rng.randint(0, total),
                    rng.randint(0, total),
                    rng.randint(0, 20),
                    rng.randint(0, 1),
                ]
                start = day - dt.timedelta(days=29)
                writer.writerow([f"bench-{p}", day, start, day, total, *held, *extra])


def raw_insert(path: Path, user_id: int) -> None:
    """The baseline for importing: the same rows straight into the tables, no checks."""
    from komar.places.models import Place
    from komar.statistics.importer import CELL_COLUMNS as KEYS

    places = dict(Place.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor, path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for row in reader:
            values = dict(zip(header, row, strict=True))
            cursor.execute(
                "INSERT INTO statistics_countreturn (place_id, reference_date, period_start,"
                " period_end, revision, status, total_held, source, created_by_id, created_at)"
                " VALUES (%s, %s, %s, %s, 2, 'submitted', %s, '', %s, %s)",
                [places[values["place_code"]], values["reference_date"], values["period_start"],
                 values["period_end"], int(values["total_held"]), user_id, now],
            )  # fmt: skip
            return_id = cursor.lastrowid if connection.vendor == "sqlite" else None
            if return_id is None:
                cursor.execute("SELECT lastval()")
                return_id = cursor.fetchone()[0]
            cells = [(return_id, *KEYS[c], int(values[c])) for c in CELL_COLUMNS if values[c] != ""]
            cursor.executemany(
                "INSERT INTO statistics_countcell (count_return_id, measure, sex, age_band,"
                " legal_status, value) VALUES (%s, %s, %s, %s, %s, %s)",
                cells,
            )
        transaction.set_rollback(True)  # leave the tables as they were


HAND_SQL = """
WITH latest AS (
  SELECT place_id, MAX(reference_date) AS d FROM statistics_countreturn
  WHERE status IN ('validated', 'published') AND reference_date BETWEEN %s AND %s
  GROUP BY place_id
)
SELECT pr.code, COALESCE(so.code, sd.code) AS situation,
  SUM(CASE WHEN c.measure = 'held' AND r.reference_date = l.d THEN c.value ELSE 0 END),
  SUM(CASE WHEN c.measure = 'held' AND c.legal_status IN ('police_custody', 'pre_trial')
           AND r.reference_date = l.d THEN c.value ELSE 0 END),
  SUM(CASE WHEN c.measure = 'held' AND c.legal_status <> '' AND r.reference_date = l.d
           THEN c.value ELSE 0 END),
  SUM(CASE WHEN c.measure = 'not_separated' AND r.reference_date = l.d THEN c.value ELSE 0 END),
  SUM(CASE WHEN c.measure = 'deaths' THEN c.value ELSE 0 END)
FROM statistics_countcell c
JOIN statistics_countreturn r ON r.id = c.count_return_id
JOIN latest l ON l.place_id = r.place_id
JOIN places_place p ON p.id = r.place_id
JOIN geo_province pr ON pr.id = p.province_id
JOIN places_placetype t ON t.id = p.place_type_id
LEFT JOIN places_situation so ON so.id = p.situation_override_id
LEFT JOIN places_situation sd ON sd.id = t.default_situation_id
WHERE r.status IN ('validated', 'published') AND r.reference_date BETWEEN %s AND %s
GROUP BY pr.code, COALESCE(so.code, sd.code)
ORDER BY pr.code, situation
"""


def hand_sql() -> list[tuple]:
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, [start, end, start, end])
        return [tuple(row) for row in cursor.fetchall()]


def ours() -> list[tuple]:
    from komar.statistics.indicators import indicator_table

    _, rows = indicator_table(
        year=YEAR, by=["province", "situation"],
        codes=["held_by_situation", "unsentenced_share", "jj7", "jj6"],
    )  # fmt: skip
    c = ("held", "held[police_custody,pre_trial]", "held[stated]", "not_separated", "deaths")
    return [(r.key["province"], r.key["situation"], *(r.components[n] for n in c)) for r in rows]


def statistics_section() -> list[dict]:
    from komar.accounts.models import User
    from komar.geo.models import Province
    from komar.places.models import Place, PlaceType
    from komar.statistics.importer import run_import
    from komar.statistics.models import CountReturn

    user = User.objects.create_user(email="bench@example.invalid")
    provinces = list(Province.objects.all())
    types = list(PlaceType.objects.exclude(code="other"))
    Place.objects.bulk_create(
        Place(
            code=f"bench-{i}",
            name_en=f"Bench place {i}",
            name_km=f"កន្លែង {i}",
            province=provinces[i % 25],
            place_type=types[i % len(types)],
            capacity=50,
        )
        for i in range(PLACES)
    )
    folder = Path(tempfile.mkdtemp(prefix="komar-bench-files-"))
    path = folder / "returns.csv"
    write_csv(path)
    results = []

    baseline_import = timed(lambda: raw_insert(path, user.pk), repeat=1)
    start = time.perf_counter()
    result = run_import(path, "returns.csv", actor=user, organisation_id=None)
    ours_import = time.perf_counter() - start
    assert result.error_count == 0, result.errors[:3]
    assert result.created == N_RETURNS
    # Peak memory (Python allocations) of importing the same file again: the whole file is read
    # and checked, nothing changes. tracemalloc slows Python down, so it is not in the timing.
    tracemalloc.start()
    again = run_import(path, "returns.csv", actor=user, organisation_id=None)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again.unchanged == N_RETURNS
    results.append({"scenario": "import_rows", "n": N_RETURNS, "ours_s": round(ours_import, 4),
                    "baseline_s": round(baseline_import, 4),
                    "ratio": round(ours_import / baseline_import, 2),
                    "importer_share_of_raw_rate": round(baseline_import / ours_import, 3),
                    "peak_memory_mb": round(peak / 1e6, 1)})  # fmt: skip

    CountReturn.objects.update(status="published")
    assert ours() == hand_sql(), "the indicator table and the hand-written SQL disagree"
    ours_s, base_s = timed(ours), timed(hand_sql)
    results.append({"scenario": "national_indicator_table", "n": N_RETURNS,
                    "ours_s": round(ours_s, 4), "baseline_s": round(base_s, 4),
                    "ratio": round(ours_s / base_s, 2)})  # fmt: skip
    return results


def ensure_database() -> None:
    """scripts/with_postgres.py starts an empty cluster: create the database the URL names."""
    from django.db.utils import OperationalError

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
    except OperationalError:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')


def main() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    only_cases = bool(os.environ.get("BENCH_CASES_N"))
    only_commitments = bool(os.environ.get("BENCH_COMMITMENTS_N")) and not only_cases
    results = [] if only_cases or only_commitments else statistics_section()
    cases = None if only_commitments else run_cases(SCALE)
    if cases is not None:
        for key in ("first_page_and_counts", "whole_list_pks"):
            r = cases["watch"][key]
            ours_s, base_s = r["orm"]["median_ms"] / 1000, r["sql"]["median_ms"] / 1000
            results.append({"scenario": f"cases_watch_{key}", "n": cases["n"], "ours_s": ours_s,
                            "baseline_s": base_s, "ratio": r["ratio"]})  # fmt: skip
    commitments = None if only_cases else run_commitments(SCALE)
    if commitments is not None:
        for key in ("progress_by_theme", "progress_by_actor", "progress_totals"):
            r = commitments["aggregates"][key]
            ours_s, base_s = r["orm"]["median_ms"] / 1000, r["sql"]["median_ms"] / 1000
            results.append({"scenario": f"commitments_{key}", "n": commitments["n"],
                            "ours_s": ours_s, "baseline_s": base_s,
                            "ratio": r["ratio"]})  # fmt: skip

    OUT.parent.mkdir(parents=True, exist_ok=True)
    out = {"scale": SCALE, "database": connection.vendor, "scenarios": results, "cases": cases,
           "commitments": commitments}  # fmt: skip
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    sizes = (
        [f"{N_RETURNS} count returns"]
        if results and "importer_share_of_raw_rate" in results[0]
        else []
    )
    sizes += [f"{cases['n']} cases"] if cases else []
    sizes += [f"{commitments['n']} commitment items"] if commitments else []
    print(f"Komar bench ({SCALE}: {', '.join(sizes)}, {connection.vendor})")
    print(f"{'scenario':<40}{'n':>8}{'ours s':>10}{'baseline s':>12}{'ratio':>8}")
    for r in results:
        print(
            f"{r['scenario']:<40}{r['n']:>8}{r['ours_s']:>10.3f}{r['baseline_s']:>12.3f}{r['ratio']:>8.2f}"
        )
    if results and results[0]["scenario"] == "import_rows":
        print(f"import: {results[0]['importer_share_of_raw_rate']:.0%} of the raw insert rate; "
              f"peak Python memory {results[0]['peak_memory_mb']} MB")  # fmt: skip
    if cases is not None:
        print_cases(cases)
    if commitments is not None:
        print_commitments(commitments)
    print(f"written to {OUT}")
    # A benchmark measures; but a page whose query count grows with the data is a bug.
    if cases is not None:
        assert cases["targets"]["queries_constant_pass"], (
            f"query count grew: {cases['query_counts']}"
        )
    if commitments is not None:
        assert commitments["targets"]["queries_constant_pass"], (
            f"query count grew: {commitments['query_counts']}"
        )


if __name__ == "__main__":
    main()
