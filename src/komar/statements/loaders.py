"""The 2021 joint statement, preloaded as a published statement (data/statement-2021.toml).

Created with its version 1 and its approved endorsements if the statement is missing; never
overwritten: once loaded, it belongs to the secretariat.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.utils import timezone

from komar.core.reference import read_toml

DATA_DIR = Path(__file__).parent / "data"
STATEMENT_FILES = ("statement-2021.toml",)
VERSION = 1


class StatementDataError(ValueError):
    """The statement data file is wrong (for example, it names an unknown organisation)."""


def load_statements(apps: Apps, files: tuple[Path | str, ...] = STATEMENT_FILES) -> int:
    """Returns the number of rows created: statement, version and endorsements (0 if the
    statements were already there)."""
    return sum(_load_statement(apps, DATA_DIR / name) for name in files)


def _load_statement(apps: Apps, path: Path) -> int:
    Statement = apps.get_model("statements", "Statement")
    StatementVersion = apps.get_model("statements", "StatementVersion")
    Endorsement = apps.get_model("statements", "Endorsement")
    Organisation = apps.get_model("organisations", "Organisation")

    data = read_toml(path)
    row: dict[str, Any] = data["statement"]
    if Statement.objects.filter(slug=row["slug"]).exists():
        return 0

    rows: list[dict[str, Any]] = data["endorsement"]
    slugs = [r["organisation"] for r in rows]
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in organisations]
    if missing:
        raise StatementDataError(
            f"{path.name}: no organisation with slug {', '.join(map(repr, missing))} "
            "(organisations are loaded from organisations/data/organisations.toml)"
        )
    roles = {value for value, _label in Endorsement._meta.get_field("role").choices}
    unknown = sorted({r["role"] for r in rows} - roles)
    if unknown:
        raise StatementDataError(f"{path.name}: unknown endorsement role {unknown}")
    duplicated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicated:
        raise StatementDataError(f"{path.name}: organisation listed twice: {duplicated}")

    # The source gives the day only; noon in Phnom Penh keeps that day in any time zone nearby.
    published_at = timezone.make_aware(dt.datetime.combine(row["date"], dt.time(12)))
    statement = Statement.objects.create(
        slug=row["slug"],
        title_en=row["title_en"],
        title_km=row["title_km"],
        text_en=row["text_en"],
        text_km=row["text_km"],
        text_km_note=row.get("text_km_note", ""),
        place_en=row["place_en"],
        place_km=row["place_km"],
        date=row["date"],
        contact=row.get("contact", ""),
        links="\n".join(row.get("links", [])),
        status=row["status"],
        version=VERSION,
        published_at=published_at if row["status"] == "published" else None,
    )
    StatementVersion.objects.create(
        statement=statement,
        number=VERSION,
        title_en=statement.title_en,
        title_km=statement.title_km,
        text_en=statement.text_en,
        text_km=statement.text_km,
    )
    positions: dict[str, int] = {}
    endorsements = []
    for r in rows:
        positions[r["role"]] = positions.get(r["role"], 0) + 1
        endorsements.append(
            Endorsement(
                statement=statement,
                organisation=organisations[r["organisation"]],
                role=r["role"],
                note_en=r.get("note_en", ""),
                note_km=r.get("note_km", ""),
                status="approved",
                version=VERSION,
                position=positions[r["role"]],
                decided_at=published_at,
            )
        )
    Endorsement.objects.bulk_create(endorsements)
    statement.committee.set(
        [organisations[r["organisation"]] for r in rows if r["role"] == "organising_committee"]
    )
    return 2 + len(endorsements)
