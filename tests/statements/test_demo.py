"""The statements demo step: a statement open for sign-on with one approved and one pending
endorsement; running it twice creates nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from komar.core.demo import run_demo
from komar.statements.demo import SLUG
from komar.statements.models import Endorsement, Statement


@pytest.mark.django_db
def test_the_demo_statement_is_open_with_an_approved_and_a_pending_endorsement(
    settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    run_demo()
    statement = Statement.objects.get(slug=SLUG)
    assert statement.status == Statement.Status.OPEN and statement.version == 1
    statuses = sorted(statement.endorsements.values_list("status", flat=True))
    assert statuses == [Endorsement.Status.APPROVED, Endorsement.Status.PENDING]
    run_demo()
    assert Statement.objects.filter(slug=SLUG).count() == 1
    assert statement.endorsements.count() == 2
