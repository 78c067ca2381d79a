import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.places.models import Place
from komar.statistics import services
from komar.statistics.checks import ReturnNumbers, check
from komar.statistics.models import AgeBand, CountReturn, LegalStatus, ReturnStatus, Sex
from tests.conftest import World

HELD_KEYS = [
    ("held", s, a, ls)
    for s, a, ls in itertools.product(Sex.values, AgeBand.values, LegalStatus.values)
]
DAY = dt.date(2026, 6, 30)


def _numbers(cells: dict, total: int | None, capacity: int | None = None) -> ReturnNumbers:
    return ReturnNumbers(
        reference_date=DAY, period_start=dt.date(2026, 1, 1), period_end=DAY,
        total_held=total, total_with_caregiver=None, cells=cells, capacity=capacity,
    )  # fmt: skip


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.integers(0, 500), min_size=len(HELD_KEYS), max_size=len(HELD_KEYS)),
       delta=st.integers(-50, 50))  # fmt: skip
def test_breakdown_must_add_up_to_the_stated_total(values: list[int], delta: int) -> None:
    cells = dict(zip(HELD_KEYS, values, strict=True))
    total = sum(values) + delta
    report = check(_numbers(cells, total))
    if delta == 0:
        assert report.ok
    else:
        assert not report.ok
        assert report.errors[0].field == "total_held"


@pytest.mark.parametrize(
    ("cells", "total", "field"),
    [
        ({("held", "female", "14_15", "pre_trial"): -1}, 0, "held/female/14_15/pre_trial"),
        ({("held", "female", "14_15", "pre_trial"): "3"}, 3, "held/female/14_15/pre_trial"),
        ({("held", "female", "14_15", "pre_trial"): True}, 1, "held/female/14_15/pre_trial"),
        ({("held", "female", "99", "pre_trial"): 1}, 1, "held/female/99/pre_trial"),
        ({("held", "female", "14_15", ""): 1}, 1, "held/female/14_15"),
        ({("foreign", "male", "", ""): 1}, 1, "foreign/male"),
        ({("with_caregiver", "", "14_15", ""): 1}, 1, "with_caregiver/14_15"),
        ({("prisoners", "", "", ""): 1}, 1, "prisoners"),
        ({("foreign", "", "", ""): 5}, 3, "foreign"),
        ({("held", "male", "16_17", "sentenced"): 2}, None, "total_held"),
    ],
)
def test_bad_numbers_are_named_by_cell(cells: dict, total: int | None, field: str) -> None:
    report = check(_numbers(cells, total))
    assert [issue.field for issue in report.errors] == [field]


def test_over_capacity_is_a_warning_not_an_error() -> None:
    report = check(_numbers({}, 30, capacity=20))
    assert report.ok
    assert [w.field for w in report.warnings] == ["total_held"]


def test_reference_date_must_fall_within_the_period() -> None:
    numbers = ReturnNumbers(DAY, dt.date(2026, 7, 1), dt.date(2026, 12, 31), 1, None, {})
    assert [e.field for e in check(numbers).errors] == ["reference_date"]


@pytest.fixture
def draft(world: World) -> CountReturn:
    return services.return_create(
        actor=world.user(Role.MONITOR),
        place=Place.objects.get(code="kh-cc2"),
        reference_date=DAY,
        period_start=dt.date(2026, 1, 1),
        period_end=DAY,
        organisation_id=world.org_a.pk,
    )


CELLS = {
    ("held", "male", "16_17", "pre_trial"): 7,
    ("held", "female", "14_15", "sentenced"): 2,
    ("with_caregiver", "", "0_3", ""): 4,
    ("foreign", "", "", ""): 1,
    ("admissions", "", "", ""): 12,
}


@pytest.mark.django_db
def test_the_whole_workflow_is_audited(world: World, draft: CountReturn) -> None:
    monitor, analyst = world.user(Role.MONITOR), world.user(Role.ANALYST)
    services.return_set_numbers(
        actor=monitor, count_return=draft, total_held=9, total_with_caregiver=4, cells=CELLS
    )
    services.return_submit(actor=monitor, count_return=draft)
    with pytest.raises(PermissionDenied):  # monitors enter returns; they do not validate
        services.return_validate(actor=monitor, count_return=draft)
    with pytest.raises(PermissionDenied):
        services.return_publish(actor=analyst, count_return=draft)
    services.return_validate(actor=analyst, count_return=draft)
    services.return_publish(actor=world.user(Role.SECRETARIAT_ADMIN), count_return=draft)
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.PUBLISHED
    assert draft.cells.count() == len(CELLS)
    actions = list(
        AuditEvent.objects.filter(target_type="statistics.countreturn").order_by("seq")
        .values_list("action", flat=True)
    )  # fmt: skip
    assert actions == [
        "count_return.create", "count_return.update", "count_return.submitted",
        "count_return.validated", "count_return.published",
    ]  # fmt: skip
    update = AuditEvent.objects.get(action="count_return.update")
    assert update.changes["held/male/16_17/pre_trial"] == {"old": None, "new": 7}


@pytest.mark.django_db
def test_bad_numbers_change_nothing(world: World, draft: CountReturn) -> None:
    with pytest.raises(ValidationError) as info:
        services.return_set_numbers(
            actor=world.user(Role.MONITOR), count_return=draft, total_held=10,
            total_with_caregiver=None, cells=CELLS,
        )  # fmt: skip
    assert "total_held" in info.value.message_dict
    draft.refresh_from_db()
    assert (draft.total_held, draft.cells.count()) == (None, 0)


@pytest.mark.django_db
def test_one_return_per_place_and_date(world: World, draft: CountReturn) -> None:
    with pytest.raises(ValidationError, match="already a return"):
        services.return_create(
            actor=world.user(Role.GOVERNMENT_FOCAL_POINT), place=draft.place,
            reference_date=DAY, period_start=DAY, period_end=DAY, organisation_id=None,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        CountReturn.objects.create(
            place=draft.place, reference_date=DAY, period_start=DAY, period_end=DAY,
            created_by=world.user(Role.MONITOR),
        )  # fmt: skip


@pytest.mark.django_db
def test_validated_returns_change_only_by_revision(world: World, draft: CountReturn) -> None:
    monitor, analyst = world.user(Role.MONITOR), world.user(Role.ANALYST)
    services.return_set_numbers(actor=monitor, count_return=draft, total_held=9,
                                total_with_caregiver=4, cells=CELLS)  # fmt: skip
    services.return_submit(actor=monitor, count_return=draft)
    services.return_validate(actor=analyst, count_return=draft)
    with pytest.raises(ValidationError):
        services.return_set_numbers(actor=monitor, count_return=draft, total_held=1,
                                    total_with_caregiver=None, cells={})  # fmt: skip
    revision = services.return_revise(actor=monitor, count_return=draft)
    assert (revision.revision, revision.status, revision.cells.count()) == (2, "draft", len(CELLS))
    fixed = {**CELLS, ("held", "male", "16_17", "pre_trial"): 8}
    services.return_set_numbers(actor=monitor, count_return=revision, total_held=10,
                                total_with_caregiver=4, cells=fixed)  # fmt: skip
    services.return_submit(actor=monitor, count_return=revision)
    services.return_validate(actor=analyst, count_return=revision)
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.SUPERSEDED
    assert CountReturn.objects.get(pk=revision.pk).total_held == 10


@pytest.mark.django_db
def test_roles_without_the_permission_cannot_enter_returns(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.return_create(
            actor=world.user(Role.YOUTH_MEMBER), place=Place.objects.get(code="kh-cc1"),
            reference_date=DAY, period_start=DAY, period_end=DAY, organisation_id=None,
        )  # fmt: skip
    assert not CountReturn.objects.exists()


@pytest.mark.django_db
def test_submitted_returns_can_be_sent_back_for_correction(
    world: World, draft: CountReturn
) -> None:
    monitor = world.user(Role.MONITOR)
    services.return_set_numbers(actor=monitor, count_return=draft, total_held=0,
                                total_with_caregiver=None, cells={})  # fmt: skip
    services.return_submit(actor=monitor, count_return=draft)
    services.return_send_back(actor=world.user(Role.ANALYST), count_return=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by_id) == (ReturnStatus.DRAFT, None)
    assert AuditEvent.objects.filter(action="count_return.send_back").exists()


@pytest.mark.django_db
def test_nobody_validates_their_own_return(world: World) -> None:
    focal = world.user(Role.GOVERNMENT_FOCAL_POINT)  # may both submit and validate
    own = services.return_create(
        actor=focal, place=Place.objects.get(code="kh-yrc"), reference_date=DAY,
        period_start=DAY, period_end=DAY, organisation_id=None,
    )  # fmt: skip
    services.return_set_numbers(actor=focal, count_return=own, total_held=3,
                                total_with_caregiver=None, cells={})  # fmt: skip
    services.return_submit(actor=focal, count_return=own)
    with pytest.raises(ValidationError, match="someone other"):
        services.return_validate(actor=focal, count_return=own)
    own.refresh_from_db()
    assert own.status == ReturnStatus.SUBMITTED


@pytest.mark.django_db
def test_a_total_without_breakdown_is_stored_as_a_total_cell(
    world: World, draft: CountReturn
) -> None:
    monitor = world.user(Role.MONITOR)
    services.return_set_numbers(actor=monitor, count_return=draft, total_held=6,
                                total_with_caregiver=2, cells={})  # fmt: skip
    stored = {(c.measure, c.sex, c.age_band, c.legal_status): c.value for c in draft.cells.all()}
    assert stored == {("held", "", "", ""): 6, ("with_caregiver", "", "", ""): 2}
    assert services.cells_of(draft) == {}  # what the user entered: no breakdown
    services.return_set_numbers(actor=monitor, count_return=draft, total_held=6,
                                total_with_caregiver=None,
                                cells={("held", "male", "16_17", "pre_trial"): 6})  # fmt: skip
    assert list(draft.cells.values_list("sex", "value")) == [("male", 6)]
