"""Reference data: versioned TOML files (each citing its source) loaded into tables.

Every app with reference data registers a loader here. Loaders run after each `migrate` (so a
fresh database, including the test database, always has them) and by `komar loadreference`.
They are idempotent and take the app registry they are given, so they work with the models as
migrated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models, transaction

Loader = Callable[[Apps], int]
LOADERS: dict[str, Loader] = {}


def register(app_label: str, loader: Loader) -> None:
    LOADERS[app_label] = loader


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def upsert(
    model: type[models.Model],
    key: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    update_existing: bool = True,
) -> int:
    """Create rows missing by `key`; bring existing ones in line with the file if asked.
    Returns the number of rows created or changed."""
    existing = {getattr(obj, key): obj for obj in model._default_manager.all()}
    touched = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            model._default_manager.create(**row)
            touched += 1
            continue
        if not update_existing:
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, row[name])
            obj.save(update_fields=changed)
            touched += 1
    return touched


def load_all(apps: Apps | None = None, only: str | None = None) -> dict[str, int]:
    registry = apps or global_apps
    results: dict[str, int] = {}
    with transaction.atomic():
        for label, loader in LOADERS.items():
            if only is None or label == only:
                results[label] = loader(registry)
    return results


def post_migrate_loader(app_label: str) -> Callable[..., None]:
    """A post_migrate receiver that runs the app's loader once its tables exist."""

    def receiver(sender: Any, apps: Apps | None = None, **kwargs: Any) -> None:
        # `flush` (used between transactional tests) sends post_migrate without `apps`.
        if sender.label == app_label and app_label in LOADERS:
            with transaction.atomic(using=kwargs.get("using", "default")):
                LOADERS[app_label](apps or global_apps)

    return receiver
