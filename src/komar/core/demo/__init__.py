"""Synthetic demo data. Fictional people only; never real children.

`run_demo()` is idempotent: re-running keeps the same passwords (read back from
`var/demo-accounts.json`) and creates nothing twice. Later modules append their own steps to
`STEPS` (each a callable taking the dict of demo users by key)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from komar.core.reference import load_all

DemoStep = Callable[[dict[str, Any]], None]
STEPS: list[DemoStep] = []


def accounts_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-accounts.json"


def _read_passwords() -> dict[str, str]:
    path = accounts_file()
    if not path.exists():
        return {}
    try:
        return {a["email"]: a["password"] for a in json.loads(path.read_text())}
    except (ValueError, KeyError, TypeError):
        return {}


def run_demo() -> tuple[list[dict[str, str]], Path]:
    from komar.core.demo.people import create_people

    load_all()
    passwords = _read_passwords()
    with transaction.atomic():
        users, accounts = create_people(
            lambda email: passwords.get(email) or secrets.token_urlsafe(10)
        )
        for step in STEPS:
            step(users)
    path = accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(accounts, indent=2, ensure_ascii=False) + "\n")
    path.chmod(0o600)
    return accounts, path
