"""Property-based tests of the deadline engine, ages, and the name normalisation behind the blind
index. Pure functions only (no database), so `deadline=None` and modest example counts."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from typing import Any

from django.test import override_settings
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from komar.cases import deadlines
from komar.cases.crypto import blind_index, normalise_khmer, normalise_latin
from komar.cases.deadlines import PHNOM_PENH, Event, Rule, TimelineError, evaluate, limit_end
from tests.cases.test_deadlines import kh_rules

TODAY = dt.date(2025, 6, 30)
FAST = settings(max_examples=150, deadline=None)
CLASSES = ["", "petty", "misdemeanour", "felony"]
UNITS = ["hours", "days", "months"]

instants = st.datetimes(
    min_value=dt.datetime(2010, 1, 1), max_value=dt.datetime(2025, 5, 31, 23, 59)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=PHNOM_PENH))


# Independent arithmetic (no dateutil) -----------------------------------------------------------


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    """Calendar months: the same day of the month, or the month's last day if it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def add_unit(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    if unit == "hours":
        return start + dt.timedelta(hours=value)
    if unit == "days":
        return start + dt.timedelta(days=value)
    return add_months(start, value)


def expected_end(rule: Rule, start: dt.datetime, extensions: int) -> dt.datetime:
    end = add_unit(start, rule.limit_value or 0, rule.limit_unit or "days")
    for _ in range(min(extensions, rule.max_extensions)):
        if rule.extension_value:
            end = add_unit(end, rule.extension_value, rule.extension_unit or rule.limit_unit)
    return end


def birthdays_passed(birth: dt.date, day: dt.date) -> int:
    """Age by counting birthdays; a 29 February birthday falls on 1 March in other years."""
    count = 0
    for year in range(birth.year + 1, day.year + 1):
        try:
            birthday = birth.replace(year=year)
        except ValueError:
            birthday = dt.date(year, 3, 1)
        count += birthday <= day
    return count


# limit_end --------------------------------------------------------------------------------------


@st.composite
def rules(draw: Any, kind: str = "pretrial_detention") -> Rule:
    unit = draw(st.sampled_from(UNITS))
    has_ext = draw(st.booleans())
    return Rule(
        code=f"r{draw(st.integers(0, 999))}",
        kind=kind,
        limit_value=draw(st.integers(0, 40)),
        limit_unit=unit,
        extension_value=draw(st.integers(1, 12)) if has_ext else None,
        extension_unit=draw(st.sampled_from(["", *UNITS])) if has_ext else "",
        max_extensions=draw(st.integers(0, 3)) if has_ext else 0,
    )


@FAST
@given(rule=rules(), start=instants, extensions=st.integers(0, 6))
def test_limit_end_matches_an_independent_calendar_computation(
    rule: Rule, start: dt.datetime, extensions: int
) -> None:
    assert limit_end(rule, start, extensions) == expected_end(rule, start, extensions)


@FAST
@given(rule=rules(), start=instants, extensions=st.integers(0, 6))
def test_limit_end_is_never_before_the_start_and_grows_with_extensions(
    rule: Rule, start: dt.datetime, extensions: int
) -> None:
    end = limit_end(rule, start, extensions)
    assert end >= start
    assert limit_end(rule, start, extensions + 1) >= end
    if extensions >= rule.max_extensions:
        assert limit_end(rule, start, extensions + 1) == end


# The engine over one phase ----------------------------------------------------------------------


def _phase_events(
    start: dt.datetime, gap_hours: int, offence_class: str, phase: str, extensions: int
) -> tuple[list[Event], dt.datetime]:
    """Arrest at `start`, the charge a minute later, a detention order `gap_hours` later (for
    pre-trial), then `extensions` extensions of the phase, a minute apart."""
    events = [Event("arrest", start.date(), start.time())]
    if offence_class:
        c = start + dt.timedelta(minutes=1)
        events.append(Event("charge", c.date(), c.time(), offence_class=offence_class))
    phase_start = start
    if phase == "pretrial_detention":
        phase_start = start + dt.timedelta(hours=gap_hours, minutes=2)
        events.append(Event("pretrial_order", phase_start.date(), phase_start.time()))
    for i in range(extensions):
        x = phase_start + dt.timedelta(minutes=3 + i)
        events.append(Event("extension", x.date(), x.time(), extension_of=phase))
    return events, phase_start


@FAST
@given(
    start=instants,
    gap_hours=st.integers(0, 72),
    age=st.integers(14, 17),
    offence_class=st.sampled_from(CLASSES),
    phase=st.sampled_from(["police_custody", "pretrial_detention"]),
    custom=st.one_of(st.none(), st.data()),
)
def test_a_phase_deadline_is_never_before_its_start_and_extensions_never_bring_it_forward(
    start: dt.datetime,
    gap_hours: int,
    age: int,
    offence_class: str,
    phase: str,
    custom: Any,
) -> None:
    ruleset: list[Rule] = list(kh_rules())
    if custom is not None:  # a rule of our own, which may allow extensions
        ruleset = [custom.draw(rules(kind=phase).map(lambda r: _for_ages(r, age)))]
    found = []
    for n in range(5):
        events, phase_start = _phase_events(start, gap_hours, offence_class, phase, n)
        ev = evaluate(events, rules=ruleset, age_at_offence=age, today=TODAY)
        assert ev.legal_status == phase
        assert ev.deadline_at is not None
        assert ev.deadline_at >= phase_start
        assert ev.extensions_used == n
        assert ev.deadline_rule is not None
        assert ev.extensions_beyond == (n > ev.deadline_rule.max_extensions)
        found.append((ev.deadline_at, ev.deadline_rule))
    for (earlier, _r1), (later, _r2) in itertools.pairwise(found):
        assert later >= earlier
    rule = found[0][1]
    limit = min(rule.max_extensions, 4)
    assert all(d == found[limit][0] for d, _r in found[limit:])


def _for_ages(rule: Rule, age: int) -> Rule:
    return Rule(**{**rule.__dict__, "age_from": age, "age_to": age + 1})


# Random timelines -------------------------------------------------------------------------------

KINDS = [k.value for k in deadlines.K]


@st.composite
def events(
    draw: Any, with_time: bool = False, kind: str | None = None, offset: int | None = None
) -> Event:
    kind = kind or draw(st.sampled_from(KINDS))
    if offset is None:
        offset = draw(st.integers(-3, 60))  # days before TODAY; negative: in the future
    time = (
        draw(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
        if with_time or draw(st.booleans())
        else None
    )
    return Event(
        kind=kind,
        date=TODAY - dt.timedelta(days=offset),
        time=time,
        offence_class=draw(st.sampled_from(CLASSES)) if kind == "charge" else "",
        extension_of=draw(st.sampled_from(["police_custody", "pretrial_detention"]))
        if kind == "extension"
        else "",
        outcome=draw(st.sampled_from(["convicted", "acquitted"])) if kind == "verdict" else "",
        sentence_months=draw(st.integers(0, 24)) if kind == "sentence" else None,
        sentence_days=draw(st.integers(0, 30)) if kind == "sentence" else None,
        custodial=draw(st.sampled_from([None, True, False])) if kind == "sentence" else None,
        held_with_adults=draw(st.sampled_from([None, True, False])),
    )


@st.composite
def timelines(draw: Any) -> list[Event]:
    """Mostly plausible timelines: an arrest and a charge first, then anything, days apart."""
    offset = 60
    found = [draw(events(kind="arrest", offset=offset))]
    if draw(st.booleans()):
        found.append(draw(events(kind="charge", offset=offset)))
    for _ in range(draw(st.integers(0, 10))):
        offset -= draw(st.integers(0, 7))
        found.append(draw(events(offset=offset)))
    return found


def _with_refs(evs: list[Event]) -> list[Event]:
    return [Event(**{**e.__dict__, "ref": i}) for i, e in enumerate(evs)]


@settings(max_examples=250, deadline=None)
@given(evs=st.one_of(timelines(), st.lists(events(), max_size=12)), age=st.integers(10, 17))
def test_any_timeline_is_refused_or_gives_contiguous_periods_covering_all_the_time(
    evs: list[Event], age: int
) -> None:
    try:
        ev = evaluate(evs, rules=kh_rules(), age_at_offence=age, today=TODAY)
    except TimelineError as exc:
        refused = exc
    else:
        refused = None
    if refused is not None:
        assert refused.message  # every refusal says why
        return
    now = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(), tzinfo=PHNOM_PENH)
    periods = ev.periods
    for before, after in itertools.pairwise(periods):
        assert before.end == after.start
        assert before.status != after.status
        assert before.start <= before.end
    if periods:
        assert periods[-1].end is None
        assert periods[-1].status == ev.legal_status
        total = sum(deadlines.time_in_status(periods, now).values(), dt.timedelta())
        assert total == now - periods[0].start
    if ev.detained:
        assert ev.detained_since is not None
        if ev.deadline_at is not None:
            assert ev.deadline_at >= ev.detained_since
    else:
        assert ev.deadline_at is None
        assert not ev.held_with_adults


@settings(max_examples=150, deadline=None)
@given(
    evs=st.lists(events(with_time=True), max_size=10, unique_by=lambda e: (e.date, e.time)),
    data=st.data(),
)
def test_the_input_order_of_events_with_distinct_times_does_not_matter(
    evs: list[Event], data: Any
) -> None:
    evs = _with_refs(evs)
    shuffled = data.draw(st.permutations(evs))

    def outcome(seq: list[Event]) -> Any:
        try:
            return evaluate(seq, rules=kh_rules(), age_at_offence=15, today=TODAY)
        except TimelineError as exc:
            return ("refused", exc.message, exc.field, exc.ref)

    assert outcome(evs) == outcome(shuffled)


# Ages -------------------------------------------------------------------------------------------

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@FAST
@given(birth=days, day=days)
def test_age_on_counts_the_birthdays_passed(birth: dt.date, day: dt.date) -> None:
    assume(birth <= day)
    assert deadlines.age_on(birth, day) == birthdays_passed(birth, day)


@FAST
@given(age=st.integers(0, 25), on=days)
def test_approximate_birth_is_the_latest_birth_consistent_with_the_age(
    age: int, on: dt.date
) -> None:
    birth = deadlines.approximate_birth(age, on)
    assert deadlines.age_on(birth, on) == age
    if age > 0:
        assert deadlines.age_on(birth + dt.timedelta(days=1), on) == age - 1


# Names and the blind index ----------------------------------------------------------------------

latin_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúàèâêôçñ", min_size=1, max_size=8),
    min_size=1,
    max_size=4,
)
khmer_words = st.lists(
    st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17DD), min_size=1),
    min_size=1,
    max_size=4,
)
separators = st.sampled_from([" ", "  ", "\t", " - ", ", ", "\u200b "])


romanised = st.text(alphabet="aAchHkKoOuUyYeEsSpP -'", max_size=20)


@FAST
@given(text=st.one_of(romanised, st.text(max_size=40)))
@example(text="Chhay")
def test_normalise_latin_is_idempotent(text: str) -> None:
    once = normalise_latin(text)
    assert normalise_latin(once) == once


khmerish = st.text(
    alphabet=st.sampled_from(
        [
            "\u17d2",
            "\u178a",
            "\u178f",
            "\u17a3",
            "\u17a4",
            "\u17a2",
            "\u17b6",
            "\u200b",
            "\u200d",
            "e",
            "\u0301",
            " ",
            "\u17d4",
            "\u1780",
        ]
    ),
    max_size=20,
)


@FAST
@given(text=st.one_of(khmerish, st.text(max_size=40)))
@example(text="\u1780\u17dd\u200b\u17d2\u1780")  # marks that NFC reorders once the ZWSP goes
@example(text="e\u200b\u0301")
def test_normalise_khmer_is_idempotent(text: str) -> None:
    once = normalise_khmer(text)
    assert normalise_khmer(once) == once


@FAST
@given(words=latin_words, data=st.data(), sep=separators)
def test_normalise_latin_ignores_word_order_case_and_spacing(
    words: list[str], data: Any, sep: str
) -> None:
    other = data.draw(st.permutations(words))
    left = normalise_latin(" ".join(words))
    right = normalise_latin(sep.join(w.upper() for w in other))
    assert left == right


@FAST
@given(words=khmer_words, data=st.data(), sep=separators)
def test_normalise_khmer_ignores_word_order_and_spacing(
    words: list[str], data: Any, sep: str
) -> None:
    other = data.draw(st.permutations(words))
    assert normalise_khmer(" ".join(words)) == normalise_khmer(sep.join(other))


@override_settings(KOMAR_BLIND_INDEX_KEY="k" * 48)
def test_the_blind_index_matches_the_same_child_typed_differently() -> None:
    same = {blind_index("latin", n, 2009) for n in ("Sok Dara", "DARA  Sok", "Sók Dara")}
    assert len(same) == 1
    assert same.pop() != blind_index("latin", "Sok Dara", 2010)
    assert blind_index("km", "សុខ ដារា", 2009) == blind_index("km", "ដារា  សុខ", 2009)
    assert blind_index("km", "សុខ ដារា", 2009) != blind_index("km", "សុខ ដារា", 2008)
    assert blind_index("latin", "", 2009) == ""  # nothing to index


@given(name=latin_words.map(" ".join), y1=st.integers(1990, 2030), y2=st.integers(1990, 2030))
@settings(max_examples=60, deadline=None)
def test_the_blind_index_separates_birth_years_and_keys(name: str, y1: int, y2: int) -> None:
    assume(normalise_latin(name))
    with override_settings(KOMAR_BLIND_INDEX_KEY="k" * 48):
        a, b = blind_index("latin", name, y1), blind_index("latin", name, y2)
        swapped = blind_index("latin", " ".join(reversed(name.split())).title(), y1)
    with override_settings(KOMAR_BLIND_INDEX_KEY="other" * 10):
        c = blind_index("latin", name, y1)
    assert (a == b) == (y1 == y2)
    assert swapped == a
    assert c != a
    assert len(a) == 64


def test_khmer_romanisation_variants_fold_together() -> None:
    assert normalise_latin("Chhay") == normalise_latin("Chay")
    assert normalise_latin("Sokhaa") == normalise_latin("Soka")
    assert normalise_latin("Pheap Sreymom") == normalise_latin("SREYMOM Peap")
    assert normalise_latin("Kosal") != normalise_latin("Kasal")
