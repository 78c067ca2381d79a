"""Demo data for consultations and children's voices: a synthetic consultation with participant
counts and a children's message linked to the tracker, a set of clearly fictional feedback
messages (accepted with themes, new, one flagged for safeguarding) and one published quarter.
Everything goes through the services. Idempotent: skipped once the demo consultation exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.commitments.models import Item
from komar.geo.models import Province
from komar.participation import services, themes
from komar.participation.models import Event, FeedbackTheme

DEMO_TITLE = "DEMO DATA — consultation with children on detention (synthetic)"

# (worries, change, age band, province code, themes, how many) — written for the demo; not real
# children. Counts chosen so the published quarter shows a count, a "fewer than" and a hidden cell.
ACCEPTED = [
    ("(demo) I miss my mother.", "(demo) Let families visit every week.", "15_17", "12",
     ["family-contact"], 12),
    ("(demo) There is no class here.", "(demo) A teacher every day.", "15_17", "", ["education"],
     11),
    ("(demo) The room is hot and crowded.", "(demo) More space and fans.", "12_14", "12",
     ["detention-conditions"], 10),
    ("(demo) Nobody told me when I can go home.", "(demo) Explain our case to us.", "12_14",
     "", ["courts-lawyers", "being-heard"], 3),
]  # fmt: skip


def _previous_quarter() -> tuple[int, int, dt.date]:
    year, quarter = themes.quarter_of(timezone.localdate())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    start, _end = themes.quarter_bounds(year, quarter)
    return year, quarter, start + dt.timedelta(days=20)


def demo_participation(users: dict[str, Any]) -> None:
    secretariat = users.get("secretariat")
    if secretariat is None or Event.objects.filter(title_en=DEMO_TITLE).exists():
        return
    # The secretariat admin is the named safeguarding focal point of the demo, so referrals
    # show how they reach one person.
    if services.focal_point() is None:
        services.focal_point_set(actor=secretariat, user=secretariat)
    organisers = [m.organisation for m in secretariat.memberships.select_related("organisation")]
    youth = users.get("youth")
    if youth is not None:
        organisers += [m.organisation for m in youth.memberships.select_related("organisation")]
    event = services.event_save(
        actor=secretariat,
        data={
            "title_en": DEMO_TITLE,
            "title_km": "ទិន្នន័យសាកល្បង — ការពិគ្រោះយោបល់ជាមួយកុមារ អំពីការឃុំខ្លួន",
            "starts_on": timezone.localdate() - dt.timedelta(days=45),
            "format": "in_person",
            "place_en": "Phnom Penh (demo)",
            "place_km": "ភ្នំពេញ (សាកល្បង)",
            "description_en": "A fictional consultation to show how Komar records who took part "
            "(counts only) and what children asked for.",
            "description_km": "ការពិគ្រោះយោបល់ប្រឌិត ដើម្បីបង្ហាញពីរបៀបដែល Komar កត់ត្រាអ្នកចូលរួម "
            "(តែចំនួនប៉ុណ្ណោះ) និងអ្វីដែលកុមារបានស្នើសុំ។",
            "is_public": True,
            "citation": "Synthetic demo data.",
        },
        organisers=organisers,
    )
    services.participants_set(
        actor=secretariat,
        event=event,
        groups={"children": 18, "youth": 7, "government": 4, "civil_society": 9, "public": None},
    )
    linked = Item.objects.filter(reference="DEMO/REQ-2")
    services.request_save(
        actor=secretariat,
        event=event,
        data={
            "number": 1,
            "kind": "request",
            "text_en": "(demo) Let us call our families every week.",
            "text_km": "(សាកល្បង) សូមឱ្យយើងទូរស័ព្ទទៅគ្រួសាររៀងរាល់សប្តាហ៍។",
            "source_note": "Synthetic demo data.",
        },
        items=list(linked),
    )

    # Feedback: one quarter's worth, accepted with themes, then published.
    year, quarter, day = _previous_quarter()
    provinces = {p.code: p for p in Province.objects.all()}
    by_code = {t.code: t for t in FeedbackTheme.objects.all()}
    rows = [row[:5] for row in ACCEPTED for _ in range(row[5])]
    for i, (worries, change, age, province, codes) in enumerate(rows):
        f = services.feedback_submit(
            worries=worries,
            change=change,
            age_band=age,
            province=provinces.get(province),
            received_on=day + dt.timedelta(days=i % 30),
        )
        services.feedback_accept(
            actor=secretariat, feedback=f, themes=[by_code[c] for c in codes if c in by_code]
        )
    services.themes_publish(actor=secretariat, year=year, quarter=quarter)

    # New messages waiting in the queue; one suggests a child is at risk.
    services.feedback_submit(
        worries="(demo) ខ្ញុំខ្លាចពេលយប់ ព្រោះមានគេវាយដំក្មេងៗ។",  # afraid at night: children beaten
        change="(demo) សូមឱ្យមានអ្នកមើលថែពេលយប់។",
        age_band="12_14",
    )
    services.feedback_submit(
        worries="(demo) I do not know how long I will stay here.",
        change="(demo) A lawyer who visits us.",
        age_band="18_24",
        language="en",
    )
    services.feedback_submit(worries="", change="(demo) សូមឱ្យយើងរៀនជំនាញ។")  # learn a trade
