"""Demo data for joint statements: a fictional statement open for sign-on, so that every demo
role can try drafting, endorsing, withdrawing and approving. Everything goes through the
services. Idempotent: skipped once the demo statement exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.statements import services
from komar.statements.models import EndorsementRole, Statement

SLUG = "demo-pre-trial-detention-of-children"


def demo_statements(users: dict[str, Any]) -> None:
    secretariat, lac, kt = users.get("secretariat"), users.get("lac_admin"), users.get("kt_admin")
    if secretariat is None or lac is None or kt is None:
        return
    if Statement.objects.filter(slug=SLUG).exists():
        return
    lac_org = lac.memberships.values_list("organisation_id", flat=True).first()
    kt_org = kt.memberships.values_list("organisation_id", flat=True).first()
    statement = services.statement_create(
        actor=lac,
        organisation_id=lac_org,
        data={
            "slug": SLUG,
            "title_en": "DEMO — Joint statement on the pre-trial detention of children",
            "title_km": "សាកល្បង — សេចក្តីថ្លែងការណ៍រួមស្តីពីការឃុំខ្លួនបណ្តោះអាសន្នរបស់កុមារ",
            "text_en": (
                "This is fictional demo text. We, the undersigned organisations, call for every "
                "child held before trial to see a lawyer within 24 hours.\n\n"
                "We ask that detention before trial be used only as a last resort and for the "
                "shortest time, as the law requires."
            ),
            "text_km": (
                "នេះជាអត្ថបទសាកល្បង។ យើងខ្ញុំ ជាអង្គការដែលបានចុះហត្ថលេខាខាងក្រោម សូមឱ្យកុមារគ្រប់រូប"
                "ដែលត្រូវបានឃុំខ្លួនមុនការជំនុំជម្រះ បានជួបមេធាវីក្នុងរយៈពេល ២៤ ម៉ោង។\n\n"
                "យើងខ្ញុំស្នើឱ្យការឃុំខ្លួនមុនការជំនុំជម្រះ ត្រូវបានប្រើតែជាវិធានការចុងក្រោយ "
                "និងក្នុងរយៈពេលខ្លីបំផុត ដូចដែលច្បាប់តម្រូវ។"
            ),
            "place_en": "Phnom Penh",
            "place_km": "ភ្នំពេញ",
            "date": timezone.localdate() + dt.timedelta(days=14),
            "contact": "statements@demo-komar.invalid",
        },
    )
    statement = services.statement_open(actor=lac, statement=statement)
    first = services.endorse(
        actor=lac,
        statement=statement,
        organisation_id=lac_org,
        role=EndorsementRole.ORGANISING_COMMITTEE,
    )
    services.endorsement_decide(actor=secretariat, endorsement=first, approve=True)
    services.endorse(  # awaits the secretariat's approval
        actor=kt,
        statement=statement,
        organisation_id=kt_org,
        role=EndorsementRole.ENDORSER,
        note_en="represented by its director (demo)",
        note_km="តំណាងដោយនាយក (សាកល្បង)",
    )
