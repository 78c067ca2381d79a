import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from komar.accounts.models import Membership, User
from komar.accounts.roles import MEMBER_ROLES, Role
from komar.core.demo import run_demo

KOMAR = [sys.executable, "-m", "komar"]
STATEMENT = (
    Path(__file__).resolve().parents[2]
    / "src/komar/organisations/data/sources/joint-statement-2021.txt"
)


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KOMAR_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(extra)
    return env


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = _env(
        KOMAR_SECRET_KEY="x" * 64 + "-production-secret-for-the-check",
        KOMAR_ALLOWED_HOSTS="komar.example.org",
        KOMAR_DATA_DIR=str(tmp_path),
        KOMAR_FIELD_KEYS="8tD3vV3k4yq3m0z3f8lqk8m2m0u7Xc1t9q0m2k4r6s8=",
        KOMAR_BLIND_INDEX_KEY="b" * 48,
    )
    result = subprocess.run(
        [*KOMAR, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = subprocess.run(
        [*KOMAR, "check"],
        env=_env(KOMAR_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "KOMAR_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_field_encryption_key(tmp_path: Path) -> None:
    result = subprocess.run(
        [*KOMAR, "check"],
        env=_env(KOMAR_DATA_DIR=str(tmp_path), KOMAR_SECRET_KEY="s" * 60),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "KOMAR_FIELD_KEYS must be set in production" in result.stderr
    assert not (tmp_path / "field-keys").exists()


def test_demo_mode_generates_a_private_secret_key(tmp_path: Path) -> None:
    result = subprocess.run(
        [*KOMAR, "check"],
        env=_env(KOMAR_DEMO="1", KOMAR_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    key = tmp_path / "secret-key"
    assert len(key.read_text()) > 50 and oct(key.stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_demo_data_is_fictional_complete_and_idempotent(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "DATA_DIR", tmp_path)
        accounts, path = run_demo()
        again, _ = run_demo()
    assert accounts == again  # same logins, nothing duplicated
    saved = json.loads(path.read_text())
    assert saved == accounts
    assert {a["role"] for a in accounts} == {r.value for r in MEMBER_ROLES}
    assert all(a["email"].endswith(".invalid") for a in accounts)
    orgs_with = {
        role: {a["organisation"] for a in accounts if a["role"] == role}
        for role in (Role.CASEWORKER, Role.ORG_ADMIN)
    }
    assert len(orgs_with[Role.CASEWORKER]) >= 2 and len(orgs_with[Role.ORG_ADMIN]) >= 2
    statement = STATEMENT.read_text()
    from komar.organisations.models import Organisation

    named = {
        slug
        for slug in {a["organisation"] for a in accounts}
        if Organisation.objects.get(slug=slug).name_en in statement
    }
    assert len(named) >= 3
    for account in accounts:
        user = User.objects.get(email=account["email"])
        assert user.check_password(account["password"])
        assert Membership.objects.filter(user=user, role=account["role"]).count() == 1
    assert User.objects.filter(email__endswith=".invalid").count() == len(accounts)
