"""The deadline engine (`komar.cases.deadlines`), on hand-computed examples at the boundaries.

Pure: the rules come straight from `cases/data/rules-kh.toml` (no database), the events are plain
values, and `today` is fixed. Every expected deadline below is worked out by hand from the rule
(e.g. "24 hours from arrival", "4 calendar months from the order").
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest

from komar.cases import deadlines
from komar.cases.deadlines import PHNOM_PENH, Band, Event, Rule, TimelineError, band_of, evaluate
from komar.core.reference import read_toml

RULES_FILE = Path(deadlines.__file__).parent / "data" / "rules-kh.toml"
TODAY = dt.date(2025, 6, 30)
RULE_KEYS = (
    "code",
    "kind",
    "offence_class",
    "age_from",
    "age_to",
    "limit_value",
    "limit_unit",
    "extension_value",
    "extension_unit",
    "max_extensions",
    "age_value",
    "verified",
)


@functools.cache
def kh_rules() -> tuple[Rule, ...]:
    """Cambodia's rules as the engine sees them, read from the shipped data file."""
    rows = read_toml(RULES_FILE)["rules"]
    return tuple(Rule(**{k: row[k] for k in RULE_KEYS if k in row}) for row in rows)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=PHNOM_PENH)


def e(kind: str, day: dt.date, time: dt.time | None = None, **kw: Any) -> Event:
    return Event(kind=kind, date=day, time=time, **kw)


def run(
    events: list[Event],
    age: int | None = 15,
    *,
    rules: tuple[Rule, ...] | list[Rule] | None = None,
    today: dt.date = TODAY,
) -> deadlines.Evaluation:
    return evaluate(
        events, rules=kh_rules() if rules is None else rules, age_at_offence=age, today=today
    )


D = dt.date
T = dt.time


# Police custody ---------------------------------------------------------------------------------


def test_police_custody_of_a_15_year_old_ends_exactly_24_hours_after_arrival() -> None:
    ev = run([e("arrest", D(2025, 3, 10), T(14, 30))], age=15)
    assert ev.legal_status == "police_custody"
    assert ev.detained
    assert ev.deadline_at == at(2025, 3, 11, 14, 30)
    assert ev.deadline_kind == "police_custody"
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "police-custody-minor"
    assert ev.deadline_unverified  # the juvenile limit is shipped unverified
    assert ev.trial_stage == "not_tried"


def test_police_custody_without_a_time_counts_from_midnight() -> None:
    ev = run([e("arrest", D(2025, 3, 10))], age=15)
    assert ev.deadline_at == at(2025, 3, 11, 0, 0)


def test_police_custody_runs_from_arrival_at_the_unit_not_the_arrest() -> None:
    ev = run(
        [
            e("arrest", D(2025, 3, 10), T(10, 0)),
            e("custody_start", D(2025, 3, 10), T(13, 15)),
        ],
        age=16,
    )
    assert ev.deadline_at == at(2025, 3, 11, 13, 15)
    assert ev.detained_since == at(2025, 3, 10, 10, 0)  # detention itself began at the arrest


def test_police_custody_across_the_end_of_a_month_and_a_leap_day() -> None:
    assert run([e("arrest", D(2024, 2, 28), T(23, 0))]).deadline_at == at(2024, 2, 29, 23, 0)
    assert run([e("arrest", D(2024, 2, 29), T(23, 0))]).deadline_at == at(2024, 3, 1, 23, 0)
    assert run([e("arrest", D(2024, 12, 31), T(6, 0))]).deadline_at == at(2025, 1, 1, 6, 0)


def test_an_extension_of_a_minors_police_custody_is_flagged_and_does_not_move_the_deadline() -> (
    None
):
    ev = run(
        [
            e("arrest", D(2025, 3, 10), T(8, 0)),
            e("charge", D(2025, 3, 10), T(9, 0), offence_class="felony"),
            e("extension", D(2025, 3, 11), T(7, 0), extension_of="police_custody"),
        ],
        age=17,
    )
    assert ev.extensions_used == 1
    assert ev.extensions_beyond  # the minors' rule allows none
    assert ev.deadline_at == at(2025, 3, 11, 8, 0)


def test_adult_felony_custody_is_48_hours_plus_one_24_hour_extension() -> None:
    # The engine is jurisdiction data driven; the adult rules apply from 18.
    base = [
        e("arrest", D(2025, 3, 10), T(8, 0)),
        e("charge", D(2025, 3, 10), T(9, 0), offence_class="felony"),
    ]
    ext = e("extension", D(2025, 3, 11), T(20, 0), extension_of="police_custody")
    plain = run(base, age=18)
    assert plain.deadline_rule is not None
    assert plain.deadline_rule.code == "police-custody-adult-felony"  # the most specific rule
    assert plain.deadline_at == at(2025, 3, 12, 8, 0)  # 48 h
    once = run([*base, ext], age=18)
    assert once.deadline_at == at(2025, 3, 13, 8, 0)  # 48 h + 24 h
    assert not once.extensions_beyond
    ext2 = e("extension", D(2025, 3, 12), T(20, 0), extension_of="police_custody")
    twice = run([*base, ext, ext2], age=18)
    assert twice.deadline_at == at(2025, 3, 13, 8, 0)  # a second extension is not allowed
    assert twice.extensions_beyond
    assert twice.extensions_used == 2


def test_adult_misdemeanour_custody_cannot_be_extended() -> None:
    ev = run(
        [
            e("arrest", D(2025, 3, 10), T(8, 0)),
            e("charge", D(2025, 3, 10), T(9, 0), offence_class="misdemeanour"),
            e("extension", D(2025, 3, 11), T(7, 0), extension_of="police_custody"),
        ],
        age=18,
    )
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "police-custody-adult"
    assert ev.deadline_at == at(2025, 3, 12, 8, 0)
    assert ev.extensions_beyond


def test_a_new_arrest_after_release_starts_a_fresh_custody_count() -> None:
    ev = run(
        [
            e("arrest", D(2025, 3, 1), T(8, 0)),
            e("release", D(2025, 3, 1), T(20, 0)),
            e("arrest", D(2025, 3, 20), T(9, 0)),
        ]
    )
    assert ev.deadline_at == at(2025, 3, 21, 9, 0)
    assert ev.detained_since == at(2025, 3, 20, 9, 0)


# Pre-trial detention ----------------------------------------------------------------------------


def _pretrial(order: dt.date, offence_class: str, time: dt.time | None = None) -> list[Event]:
    arrest = order - dt.timedelta(days=1)
    return [
        e("arrest", arrest, T(10, 0)),
        e("charge", arrest, T(11, 0), offence_class=offence_class),
        e("pretrial_order", order, time),
    ]


@pytest.mark.parametrize(
    ("age", "offence_class", "order", "expected", "code"),
    [
        # 14–15, felony: 4 calendar months; 31 Oct + 4 months is the end of February.
        (15, "felony", D(2024, 10, 31), at(2025, 2, 28), "pretrial-minor-14-16-felony"),
        (14, "felony", D(2023, 10, 31), at(2024, 2, 29), "pretrial-minor-14-16-felony"),
        (15, "felony", D(2025, 1, 15), at(2025, 5, 15), "pretrial-minor-14-16-felony"),
        # 16–17, misdemeanour: 2 months; 31 Dec + 2 months = 28 Feb.
        (16, "misdemeanour", D(2024, 12, 31), at(2025, 2, 28), "pretrial-minor-16-18-misdemeanour"),
        (17, "misdemeanour", D(2023, 12, 30), at(2024, 2, 29), "pretrial-minor-16-18-misdemeanour"),
        # 16–17, felony: 6 months; 31 Aug + 6 months = 28 Feb.
        (16, "felony", D(2024, 8, 31), at(2025, 2, 28), "pretrial-minor-16-18-felony"),
        (17, "felony", D(2024, 8, 31), at(2025, 2, 28), "pretrial-minor-16-18-felony"),
    ],
)
def test_pretrial_limits_by_age_and_offence_class_in_calendar_months(
    age: int, offence_class: str, order: dt.date, expected: dt.datetime, code: str
) -> None:
    ev = run(_pretrial(order, offence_class), age=age)
    assert ev.legal_status == "pretrial_detention"
    assert ev.deadline_kind == "pretrial_detention"
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == code
    assert ev.deadline_at == expected
    assert ev.deadline_note == ""


def test_pretrial_deadline_keeps_the_time_of_the_order() -> None:
    ev = run(_pretrial(D(2025, 1, 15), "felony", T(16, 45)), age=16)
    assert ev.deadline_at == at(2025, 7, 15, 16, 45)


@pytest.mark.parametrize(
    ("age", "offence_class", "code"),
    [
        (14, "misdemeanour", "pretrial-minor-14-16-misdemeanour"),
        (15, "misdemeanour", "pretrial-minor-14-16-misdemeanour"),
        (14, "petty", "pretrial-petty"),
        (17, "petty", "pretrial-petty"),
    ],
)
def test_no_pretrial_detention_allowed_means_the_deadline_is_the_order_itself(
    age: int, offence_class: str, code: str
) -> None:
    ev = run(_pretrial(D(2025, 5, 2), offence_class, T(9, 30)), age=age)
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == code
    assert ev.deadline_at == at(2025, 5, 2, 9, 30)
    assert band_of(ev.deadline_at, at(2025, 5, 2, 9, 30)) == Band.PAST  # past from the start


def test_the_most_severe_charge_sets_the_class() -> None:
    events = [
        *_pretrial(D(2025, 1, 15), "misdemeanour"),
        e("charge", D(2025, 1, 20), offence_class="felony"),
        e("charge", D(2025, 1, 21), offence_class="petty"),
    ]
    ev = run(events, age=16)
    assert ev.offence_class == "felony"
    assert ev.deadline_at == at(2025, 7, 15)


def test_without_an_offence_class_the_shortest_fitting_limit_applies_with_a_note() -> None:
    events = [e("arrest", D(2025, 1, 14)), e("pretrial_order", D(2025, 1, 15), T(9, 0))]
    ev = run(events, age=16)
    assert ev.deadline_note == "class_unknown"
    # Petty (no detention), 2 months and 6 months all fit a 16-year-old: the shortest wins.
    assert ev.deadline_at == at(2025, 1, 15, 9, 0)
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.limit_value == 0


def test_without_an_offence_class_the_shortest_of_several_real_limits_is_chosen() -> None:
    rules = [
        Rule("p-felony", "pretrial_detention", "felony", 16, 18, 6, "months"),
        Rule("p-misd", "pretrial_detention", "misdemeanour", 16, 18, 2, "months"),
        Rule("p-long", "pretrial_detention", "", 16, 18, 12, "months"),
    ]
    events = [e("arrest", D(2025, 1, 14)), e("pretrial_order", D(2025, 1, 15))]
    ev = run(events, age=17, rules=rules)
    assert ev.deadline_note == "class_unknown"
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "p-misd"
    assert ev.deadline_at == at(2025, 3, 15)
    # Once the class is known, its own rule applies and the note goes.
    charged = run([*events, e("charge", D(2025, 1, 16), offence_class="felony")], 17, rules=rules)
    assert charged.deadline_note == ""
    assert charged.deadline_at == at(2025, 7, 15)


def test_police_custody_has_one_rule_for_minors_so_no_class_note() -> None:
    ev = run([e("arrest", D(2025, 3, 10))], age=15)
    assert ev.deadline_note == ""


def test_no_fitting_rule_gives_no_deadline_and_says_so() -> None:
    ev = run(_pretrial(D(2025, 1, 15), "felony"), age=16, rules=[])
    assert ev.detained
    assert ev.deadline_at is None
    assert ev.deadline_note == "no_rule"


def test_pretrial_extension_moves_the_deadline_once_then_is_flagged() -> None:
    events = _pretrial(D(2024, 10, 31), "misdemeanour")
    ext = e("extension", D(2025, 2, 20), extension_of="pretrial_detention")
    adult = run(events, age=18)
    assert adult.deadline_at == at(2025, 2, 28)  # 4 months
    once = run([*events, ext], age=18)
    # Each extension runs from the end of the previous period: 28 Feb + 2 months = 28 Apr.
    assert once.deadline_at == at(2025, 4, 28)
    assert not once.extensions_beyond
    twice = run(
        [*events, ext, e("extension", D(2025, 4, 1), extension_of="pretrial_detention")], 18
    )
    assert twice.deadline_at == at(2025, 4, 28)
    assert twice.extensions_beyond


def test_a_second_order_during_pretrial_keeps_the_first_start() -> None:
    events = [*_pretrial(D(2025, 1, 15), "felony"), e("pretrial_order", D(2025, 3, 1))]
    assert run(events, age=16).deadline_at == at(2025, 7, 15)


# Ages -------------------------------------------------------------------------------------------


def test_a_child_of_13_at_the_offence_must_not_be_detained_at_all() -> None:
    events = [e("arrest", D(2025, 3, 10), T(14, 30)), e("pretrial_order", D(2025, 3, 11))]
    ev = run(events, age=13)
    assert ev.below_min_age
    assert ev.deadline_kind == "no_detention"
    assert ev.deadline_at == at(2025, 3, 10, 14, 30)  # the start of detention: already past
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "no-detention-under-14"
    assert ev.deadline_unverified


def test_a_child_of_exactly_14_may_be_held_under_the_minors_rules() -> None:
    ev = run([e("arrest", D(2025, 3, 10), T(14, 30))], age=14)
    assert not ev.below_min_age
    assert ev.deadline_kind == "police_custody"
    assert ev.deadline_at == at(2025, 3, 11, 14, 30)


def test_the_minimum_age_of_responsibility_is_used_when_no_detention_rule_exists() -> None:
    rules = [r for r in kh_rules() if r.kind != "no_detention_under"]
    ev = run([e("arrest", D(2025, 3, 10))], age=13, rules=rules)
    assert ev.below_min_age
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "min-age-criminal-responsibility"
    assert not ev.deadline_unverified  # that one is verified


def test_age_16_switches_the_pretrial_band_from_4_to_6_months() -> None:
    events = _pretrial(D(2025, 1, 15), "felony")
    assert run(events, age=15).deadline_at == at(2025, 5, 15)
    assert run(events, age=16).deadline_at == at(2025, 7, 15)


def test_an_unknown_age_fits_no_age_bounded_rule() -> None:
    ev = run([e("arrest", D(2025, 3, 10))], age=None)
    assert ev.deadline_at is None
    assert not ev.below_min_age


def test_age_on_counts_whole_years_and_a_leap_day_birthday_comes_on_1_march() -> None:
    assert deadlines.age_on(D(2010, 6, 30), D(2025, 6, 29)) == 14
    assert deadlines.age_on(D(2010, 6, 30), D(2025, 6, 30)) == 15
    # Benefit of the doubt: born on 29 Feb, a child is not a year older until 1 March.
    assert deadlines.age_on(D(2008, 2, 29), D(2026, 2, 28)) == 17
    assert deadlines.age_on(D(2008, 2, 29), D(2026, 3, 1)) == 18
    assert deadlines.age_on(D(2008, 2, 29), D(2024, 2, 29)) == 16


def test_approximate_birth_is_the_youngest_the_child_can_be() -> None:
    birth = deadlines.approximate_birth(15, D(2025, 6, 30))
    assert birth == D(2010, 6, 30)
    assert deadlines.age_on(birth, D(2025, 6, 30)) == 15
    assert deadlines.age_on(birth + dt.timedelta(days=1), D(2025, 6, 30)) == 14


# Immediate appearance, verdicts, sentences ------------------------------------------------------


def test_immediate_appearance_must_be_judged_within_14_days() -> None:
    ev = run(
        [
            e("arrest", D(2025, 5, 1), T(8, 0)),
            e("charge", D(2025, 5, 1), T(9, 0), offence_class="misdemeanour"),
            e("immediate_appearance", D(2025, 5, 2), T(10, 0)),
        ],
        age=16,
    )
    assert ev.legal_status == "immediate_appearance"
    assert ev.deadline_kind == "immediate_appearance"
    assert ev.deadline_at == at(2025, 5, 16, 10, 0)
    assert ev.deadline_rule is not None
    assert ev.deadline_rule.code == "immediate-appearance"
    assert not ev.deadline_unverified


def _tried(verdict: str, **verdict_kw: Any) -> list[Event]:
    return [
        e("arrest", D(2025, 1, 10), T(8, 0)),
        e("charge", D(2025, 1, 10), T(9, 0), offence_class="felony"),
        e("pretrial_order", D(2025, 1, 11), T(10, 0)),
        e("hearing_held", D(2025, 3, 1), T(9, 0)),
        e("verdict", D(2025, 3, 1), T(11, 0), outcome=verdict, **verdict_kw),
    ]


def test_an_acquitted_child_is_due_for_release_at_the_verdict() -> None:
    ev = run(_tried("acquitted"), age=16)
    assert ev.legal_status == "acquitted"
    assert ev.detained
    assert ev.deadline_kind == "release_due"
    assert ev.deadline_at == at(2025, 3, 1, 11, 0)
    assert ev.trial_stage != "not_tried"  # the child was tried


def test_a_guilty_verdict_on_appeal_replaces_an_earlier_acquittal() -> None:
    events = [
        *_tried("acquitted"),
        e("appeal", D(2025, 3, 5)),
        e("verdict", D(2025, 4, 1), outcome="convicted"),
    ]
    ev = run(events, age=16)
    assert ev.legal_status == "convicted"
    assert ev.trial_stage == "convicted"
    assert ev.deadline_kind != "release_due"  # no longer entitled to release
    assert ev.deadline_at is None


def test_a_custodial_sentence_counts_from_the_start_of_continuous_detention() -> None:
    events = [
        e("arrest", D(2025, 1, 10), T(8, 0)),
        e("charge", D(2025, 1, 10), T(9, 0), offence_class="felony"),
        e("custody_end", D(2025, 1, 11), T(9, 0)),
        e("pretrial_order", D(2025, 1, 11), T(10, 0)),  # same day: detention is continuous
        e("verdict", D(2025, 3, 1), outcome="convicted"),
        e("sentence", D(2025, 3, 1), sentence_months=3, sentence_days=10, custodial=True),
    ]
    ev = run(events, age=16)
    assert ev.legal_status == "sentenced"
    assert ev.detained_since == at(2025, 1, 10, 8, 0)
    # 10 Jan 08:00 + 3 months = 10 Apr 08:00, + 10 days = 20 Apr 08:00.
    assert ev.deadline_kind == "sentence_end"
    assert ev.deadline_at == at(2025, 4, 20, 8, 0)


def test_a_gap_in_detention_restarts_the_count_for_the_sentence() -> None:
    events = [
        e("arrest", D(2025, 1, 10), T(8, 0)),
        e("charge", D(2025, 1, 10), T(9, 0), offence_class="felony"),
        e("custody_end", D(2025, 1, 11), T(9, 0)),
        e("pretrial_order", D(2025, 1, 12), T(10, 0)),  # a day at liberty in between
        e("verdict", D(2025, 3, 1), outcome="convicted"),
        e("sentence", D(2025, 3, 1), sentence_months=3, sentence_days=10),
    ]
    ev = run(events, age=16)
    assert ev.detained_since == at(2025, 1, 12, 10, 0)
    assert ev.deadline_at == at(2025, 4, 22, 10, 0)


def test_a_non_custodial_sentence_means_release_is_due() -> None:
    events = [
        *_tried("convicted"),
        e("sentence", D(2025, 3, 1), T(12, 0), sentence_months=6, custodial=False),
    ]
    ev = run(events, age=16)
    assert ev.deadline_kind == "release_due"
    assert ev.deadline_at == at(2025, 3, 1, 12, 0)


def test_appeal_of_a_conviction_awaits_a_final_verdict() -> None:
    ev = run([*_tried("convicted"), e("appeal", D(2025, 3, 5))], age=16)
    assert ev.legal_status == "appeal"
    assert ev.trial_stage == "awaiting_final"


def test_release_ends_detention_and_every_deadline() -> None:
    events = [
        e("arrest", D(2025, 3, 10), T(14, 30), held_with_adults=True, place_text="Police post"),
        e("release", D(2025, 3, 11), T(9, 0)),
    ]
    ev = run(events, age=15)
    assert ev.legal_status == "released"
    assert not ev.detained
    assert ev.deadline_at is None
    assert ev.deadline_kind == ""
    assert not ev.held_with_adults
    assert ev.place_text == ""


def test_diversion_ends_detention() -> None:
    events = [e("arrest", D(2025, 3, 10)), e("diversion", D(2025, 3, 10), T(18, 0))]
    ev = run(events, age=15)
    assert ev.legal_status == "diversion"
    assert not ev.detained
    assert ev.deadline_at is None


def test_where_the_child_is_and_with_whom_follows_the_placements() -> None:
    events = [
        e("arrest", D(2025, 3, 10), place_text="Police post", held_with_adults=False),
        e("charge", D(2025, 3, 10), offence_class="felony"),
        e("pretrial_order", D(2025, 3, 11), place_id=7, held_with_adults=True),
        e("transfer", D(2025, 3, 20), place_text="Youth rehabilitation centre"),
    ]
    ev = run(events, age=16)
    assert ev.place_text == "Youth rehabilitation centre"
    assert ev.held_with_adults  # the transfer did not say otherwise
    assert run(events[:3], age=16).place_id == 7


def test_the_next_hearing_is_the_earliest_without_an_outcome() -> None:
    events = [
        e("arrest", D(2025, 3, 10)),
        e("charge", D(2025, 3, 10), offence_class="felony"),
        e("pretrial_order", D(2025, 3, 11)),
        e("hearing_scheduled", D(2025, 6, 1)),
        e("hearing_scheduled", D(2025, 7, 20)),  # in the future: allowed
        e("hearing_held", D(2025, 6, 1)),
    ]
    assert run(events, age=16).next_hearing_on == D(2025, 7, 20)
    assert run(events[:5], age=16).next_hearing_on == D(2025, 6, 1)


def test_periods_and_time_in_each_status() -> None:
    events = [
        e("arrest", D(2025, 3, 10), T(8, 0)),
        e("charge", D(2025, 3, 10), T(9, 0), offence_class="felony"),
        e("pretrial_order", D(2025, 3, 11), T(8, 0)),
        e("release", D(2025, 3, 21), T(8, 0)),
    ]
    ev = run(events, age=16)
    assert [(p.status, p.start, p.end) for p in ev.periods] == [
        ("police_custody", at(2025, 3, 10, 8), at(2025, 3, 11, 8)),
        ("pretrial_detention", at(2025, 3, 11, 8), at(2025, 3, 21, 8)),
        ("released", at(2025, 3, 21, 8), None),
    ]
    totals = deadlines.time_in_status(ev.periods, at(2025, 3, 22, 8))
    assert totals == {
        "police_custody": dt.timedelta(days=1),
        "pretrial_detention": dt.timedelta(days=10),
        "released": dt.timedelta(days=1),
    }


# Bands ------------------------------------------------------------------------------------------


def test_band_of_at_the_exact_boundaries() -> None:
    now = at(2025, 6, 1, 12, 0)
    second = dt.timedelta(seconds=1)
    assert band_of(None, now) is None
    assert band_of(now - second, now) == Band.PAST
    assert band_of(now, now) == Band.PAST  # due now is already past
    assert band_of(now + second, now) == Band.WITHIN_7
    assert band_of(now + dt.timedelta(days=7), now) == Band.WITHIN_7
    assert band_of(now + dt.timedelta(days=7) + second, now) == Band.WITHIN_30
    assert band_of(now + dt.timedelta(days=30), now) == Band.WITHIN_30
    assert band_of(now + dt.timedelta(days=30) + second, now) == Band.LATER


# Impossible timelines ---------------------------------------------------------------------------


def _refused(events: list[Event], age: int | None = 16) -> TimelineError:
    with pytest.raises(TimelineError) as info:
        run(events, age=age)
    return info.value


def test_a_release_before_any_arrest_is_refused() -> None:
    err = _refused([e("release", D(2025, 3, 1), ref="rel"), e("arrest", D(2025, 3, 2), ref="arr")])
    assert "record the arrest or detention before it" in err.message
    assert err.ref == "rel"
    assert err.field == "date"


@pytest.mark.parametrize("kind", ["hearing_scheduled", "hearing_held", "verdict"])
def test_a_hearing_or_verdict_before_the_charge_is_refused(kind: str) -> None:
    events = [
        e("arrest", D(2025, 3, 1)),
        e(kind, D(2025, 3, 5), outcome="convicted" if kind == "verdict" else "", ref="x"),
        e("charge", D(2025, 3, 6), offence_class="felony"),
    ]
    err = _refused(events)
    assert err.message == (
        "A hearing or verdict cannot come before the charge. Record the charge first."
    )
    assert err.ref == "x"


def test_a_hearing_without_any_charge_is_refused() -> None:
    err = _refused([e("arrest", D(2025, 3, 1)), e("hearing_held", D(2025, 3, 5), ref="h")])
    assert "before the charge" in err.message


def test_a_sentence_without_a_guilty_verdict_is_refused() -> None:
    base = [e("arrest", D(2025, 3, 1)), e("charge", D(2025, 3, 1), offence_class="felony")]
    sentence = e("sentence", D(2025, 4, 1), sentence_months=6, ref="s")
    for events in (
        [*base, sentence],
        [*base, e("verdict", D(2025, 3, 30), outcome="acquitted"), sentence],
    ):
        err = _refused(events)
        assert err.message == "A sentence needs a guilty verdict recorded before it."
        assert err.ref == "s"
        assert err.field == "kind"


def test_an_appeal_without_a_verdict_is_refused() -> None:
    err = _refused([e("arrest", D(2025, 3, 1)), e("appeal", D(2025, 3, 5), ref="a")])
    assert err.message == "An appeal needs a verdict before it."
    assert err.ref == "a"


def test_an_extension_with_nothing_to_extend_is_refused() -> None:
    err = _refused(
        [
            e("arrest", D(2025, 3, 1)),
            e("extension", D(2025, 3, 2), extension_of="pretrial_detention", ref="x"),
        ]
    )
    assert err.message == "There is no pre-trial detention to extend on this date."
    assert err.field == "extension_of"
    err = _refused([e("extension", D(2025, 3, 2), extension_of="police_custody")])
    assert err.message == "There is no police custody to extend on this date."
    err = _refused([e("arrest", D(2025, 3, 1)), e("extension", D(2025, 3, 2))])
    assert err.message == "Say what is extended."


def test_a_date_in_the_future_is_refused_except_a_scheduled_hearing() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    err = _refused([e("arrest", tomorrow, ref="f")])
    assert err.message == "This date is in the future."
    assert err.ref == "f"
    ok = run(
        [
            e("arrest", TODAY),
            e("charge", TODAY, offence_class="felony"),
            e("hearing_scheduled", tomorrow),
        ]
    )
    assert ok.next_hearing_on == tomorrow
    assert run([e("arrest", TODAY, T(23, 59))]).detained  # later today is not the future


def test_other_impossible_steps_are_refused() -> None:
    arrest, charge = e("arrest", D(2025, 3, 1)), e("charge", D(2025, 3, 1), offence_class="felony")
    assert "no custody is recorded" in _refused([e("custody_end", D(2025, 3, 1))]).message
    assert "needs the child to be detained" in _refused([e("transfer", D(2025, 3, 1))]).message
    already = _refused(
        [arrest, charge, e("pretrial_order", D(2025, 3, 2)), e("arrest", D(2025, 3, 3))]
    )
    assert already.message == "The child is already detained (Pre-trial detention) on this date."
    no_outcome = _refused([arrest, charge, e("verdict", D(2025, 3, 5))])
    assert no_outcome.field == "outcome"


def test_a_placement_recorded_while_at_liberty_does_not_place_the_child() -> None:
    events = [
        e("arrest", D(2025, 3, 1)),
        e("charge", D(2025, 3, 1), offence_class="felony"),
        e("verdict", D(2025, 3, 2), outcome="convicted"),
        e("release", D(2025, 3, 3)),
        e("sentence", D(2025, 3, 4), sentence_months=3, held_with_adults=True, place_text="Prison"),
    ]
    ev = run(events, age=16)
    assert not ev.detained
    assert not ev.held_with_adults
    assert ev.place_text == ""
