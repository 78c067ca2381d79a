"""`make bench`: synthetic data at scale; page and API timings, as milliseconds and as ratios to
a raw SQL query over the same table. A benchmark, not a test: it prints, it does not assert.

Scale with BENCH_ORGS (default 5000) and BENCH_EVENTS (default 20000)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("KOMAR_DATA_DIR", tempfile.mkdtemp(prefix="komar-bench-"))
os.environ.setdefault("KOMAR_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "komar.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

ORGS = int(os.environ.get("BENCH_ORGS", "5000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))


def timed(fn: Callable[[], object], repeat: int = 15) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def raw(sql: str) -> Callable[[], object]:
    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return run


def main() -> None:
    call_command("migrate", verbosity=0)
    from komar.accounts.models import Membership, User
    from komar.audit import services as audit
    from komar.geo.models import Province
    from komar.organisations.models import Organisation, ThematicArea

    areas = list(ThematicArea.objects.all())
    provinces = list(Province.objects.all())
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            Organisation(
                slug=f"bench-{i}", name_en=f"Bench Org {i:05d}", name_km=f"អង្គការ {i}", kind="ngo"
            )
            for i in range(ORGS)
        )
        Organisation.thematic_areas.through.objects.bulk_create(
            Organisation.thematic_areas.through(
                organisation_id=o.pk, thematicarea_id=areas[i % len(areas)].pk
            )
            for i, o in enumerate(orgs)
        )
        Organisation.provinces.through.objects.bulk_create(
            Organisation.provinces.through(organisation_id=o.pk, province_id=provinces[i % 25].pk)
            for i, o in enumerate(orgs)
        )
        admin = User.objects.create_user(
            email="bench@example.invalid", password="bench pass phrase 1"
        )
        Membership.objects.create(user=admin, organisation=orgs[0], role="secretariat_admin")
        start = time.perf_counter()
        for i in range(EVENTS):
            audit.record(actor=admin, action="bench.event", target=audit.Target("bench", str(i)))
        append_ms = (time.perf_counter() - start) * 1000 / EVENTS

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(admin, generate_totp_secret())
    client = Client(headers={"accept-language": "en"})
    client.force_login(admin, backend="allauth.account.auth_backends.AuthenticationBackend")
    base = timed(
        raw("SELECT id, name_en FROM organisations_organisation ORDER BY name_en LIMIT 25")
    )
    rows = [
        ("directory page 1", timed(lambda: client.get("/directory/"))),
        (
            "directory filtered",
            timed(lambda: client.get("/directory/?thematic_area=legal_aid&province=12")),
        ),
        ("directory last page", timed(lambda: client.get(f"/directory/?page={ORGS // 25}"))),
        ("API organisations", timed(lambda: client.get("/api/v1/organisations"))),
        ("audit log page", timed(lambda: client.get("/audit/"))),
    ]
    print(f"Komar bench: {ORGS} organisations, {EVENTS} audit events ({connection.vendor})")
    print(f"{'what':<24}{'median ms':>12}{'× raw SQL':>12}")
    print(f"{'raw SQL (25 rows)':<24}{base:>12.2f}{1:>12.1f}")
    for name, ms in rows:
        print(f"{name:<24}{ms:>12.2f}{ms / base:>12.1f}")
    from komar.audit.verify import verify_chain

    start = time.perf_counter()
    report = verify_chain()
    verify_ms = (time.perf_counter() - start) * 1000
    print(f"{'audit append (each)':<24}{append_ms:>12.2f}")
    print(f"{'audit verify (all)':<24}{verify_ms:>12.0f}   ok={report.ok} checked={report.checked}")


if __name__ == "__main__":
    main()
