from komar.cases.models import LegalStatus
from tests.cases.helpers import detained_case
from tests.conftest import World


def test_a_detained_case_has_a_pretrial_deadline(world: World) -> None:
    case = detained_case(world, arrested_days_ago=10)
    assert case.legal_status == LegalStatus.PRETRIAL
    assert case.deadline_kind == "pretrial_detention"
    assert case.deadline_unverified
