"""Demo data for the commitments tracker: a clearly synthetic set of CRC-style concluding
observations, the preloaded Global Study recommendations given responsible ministries, actions,
assessments from both perspectives in every state (some published, some disagreeing), and an
illustrative set of children's requests. Everything goes through the services, as the people who
would record it. Idempotent: skipped once the demo source exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.commitments import services
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Item,
    ItemActor,
    ItemLink,
    Perspective,
    Progress,
    Source,
    SourceType,
    Tier,
)
from komar.organisations.models import Organisation, ThematicArea
from komar.organisations.services import organisation_create

CRC_CODE = "demo-crc-khm-co"
REQUESTS_CODE = "demo-childrens-requests"
MOJ_SLUG = "ministry-of-justice"
GDP_SLUG = "ministry-of-interior-general-department-of-prisons"
MOSVY_SLUG = "ministry-of-social-affairs-veterans-and-youth-rehabilitation"
COALITION, GOVERNMENT = Perspective.COALITION, Perspective.GOVERNMENT
LEAD, SUPPORTING = ItemActor.Role.LEAD, ItemActor.Role.SUPPORTING

MINISTRIES: list[dict[str, Any]] = [
    {
        "slug": MOJ_SLUG,
        "name_en": "Ministry of Justice",
        "name_km": "ក្រសួងយុត្តិធម៌",
        "acronym": "MoJ",
        "areas": ["child_justice", "legal_aid"],
    },
    {
        "slug": GDP_SLUG,
        "name_en": "Ministry of Interior (General Department of Prisons)",
        "name_km": "ក្រសួងមហាផ្ទៃ (អគ្គនាយកដ្ឋានពន្ធនាគារ)",
        "acronym": "GDP",
        "areas": ["child_justice"],
    },
]

# (paragraph, text_en, text_km, summary_en, summary_km, themes, situations, groups, sdg)
CRC_ITEMS = [
    (
        "1",
        "Ensure that children are deprived of liberty only as a measure of last resort and for "
        "the shortest appropriate period of time.",
        "ធានាថាការដកហូតសេរីភាពកុមារ ត្រូវប្រើតែជាវិធានការចុងក្រោយ និងក្នុងរយៈពេលខ្លីបំផុតតាមដែលសមស្រប។",
        "Children should only be locked up when nothing else works, and for as short a time as "
        "possible.",
        "កុមារគួរត្រូវបានឃុំខ្លួន តែនៅពេលដែលគ្មានវិធីផ្សេងទៀត ហើយក្នុងរយៈពេលខ្លីបំផុត។",
        ["child-justice", "arrest-detention"],
        ["justice"],
        ["children", "deprived-of-liberty"],
        ["16.3"],
    ),
    (
        "2",
        "Expand diversion and non-custodial measures for children in conflict with the law, such "
        "as mediation, probation and community service.",
        "ពង្រីកការបង្វែរ និងវិធានការមិនឃុំខ្លួនសម្រាប់កុមារដែលប្រព្រឹត្តល្មើសនឹងច្បាប់ "
        "ដូចជាការសម្រុះសម្រួល ការដាក់ឱ្យស្ថិតក្រោមការឃ្លាំមើល និងការងារសហគមន៍។",
        "When a child breaks the law, help them put things right in their community instead of "
        "sending them to prison.",
        "នៅពេលកុមារប្រព្រឹត្តខុសច្បាប់ សូមជួយពួកគេកែតម្រូវកំហុសនៅក្នុងសហគមន៍ ជំនួសឱ្យការបញ្ជូនទៅពន្ធនាគារ។",
        ["non-custodial", "child-justice"],
        ["justice"],
        ["children"],
        ["16.3"],
    ),
    (
        "3",
        "Ensure that children are held separately from adults in all places of detention, "
        "including police custody.",
        "ធានាថាកុមារត្រូវបានឃុំដាច់ដោយឡែកពីមនុស្សពេញវ័យ នៅគ្រប់កន្លែងឃុំឃាំង រួមទាំងការឃុំខ្លួននៅប៉ុស្តិ៍នគរបាល។",
        "Children must never be kept in the same room as adults when they are detained.",
        "កុមារមិនត្រូវឃុំនៅក្នុងបន្ទប់តែមួយជាមួយមនុស្សពេញវ័យឡើយ។",
        ["detention-conditions"],
        ["justice"],
        ["deprived-of-liberty"],
        ["16.2"],
    ),
    (
        "4",
        "Establish an independent mechanism with a mandate to visit all places where children "
        "are deprived of liberty, and consider ratifying the Optional Protocol to the Convention "
        "against Torture.",
        "បង្កើតយន្តការឯករាជ្យមួយ ដែលមានអាណត្តិចុះពិនិត្យគ្រប់កន្លែងដែលកុមារត្រូវបានដកហូតសេរីភាព "
        "និងពិចារណាផ្តល់សច្ចាប័នលើពិធីសារបន្ថែមនៃអនុសញ្ញាប្រឆាំងនឹងការធ្វើទារុណកម្ម។",
        "People who do not work for the prisons should be able to visit and check that children "
        "are safe.",
        "អ្នកដែលមិនធ្វើការឱ្យពន្ធនាគារ គួរអាចចូលមើល និងពិនិត្យថាកុមារមានសុវត្ថិភាព។",
        ["monitoring", "treaties", "torture"],
        ["justice", "institutions"],
        ["deprived-of-liberty"],
        ["16.a"],
    ),
    (
        "5",
        "Collect and publish data on children deprived of liberty, disaggregated by age, sex, "
        "disability, place and reason for detention.",
        "ប្រមូល និងផ្សព្វផ្សាយទិន្នន័យអំពីកុមារដែលត្រូវបានដកហូតសេរីភាព ដោយបែងចែកតាមអាយុ ភេទ "
        "ពិការភាព ទីកន្លែង និងមូលហេតុនៃការឃុំខ្លួន។",
        "Count how many children are locked up, where and why, so that everyone can see whether "
        "things get better.",
        "រាប់ចំនួនកុមារដែលត្រូវបានឃុំខ្លួន នៅទីណា និងហេតុអ្វី ដើម្បីឱ្យគ្រប់គ្នាអាចមើលឃើញថាស្ថានភាពប្រសើរឡើងឬអត់។",
        ["data"],
        [],
        ["children", "girls", "disabilities"],
        ["17.18", "16.3"],
    ),
    (
        "6",
        "Provide children in detention and after release with education, health care and "
        "support to return to their families and communities.",
        "ផ្តល់ការអប់រំ ការថែទាំសុខភាព និងការគាំទ្រដល់កុមារដែលកំពុងជាប់ឃុំ និងក្រោយពេលដោះលែង "
        "ដើម្បីវិលត្រឡប់ទៅគ្រួសារ និងសហគមន៍វិញ។",
        "Children in detention should go to school, see a doctor when they need one, and get "
        "help going home.",
        "កុមារដែលជាប់ឃុំគួរបានទៅសាលារៀន ជួបគ្រូពេទ្យនៅពេលត្រូវការ និងទទួលបានជំនួយដើម្បីត្រឡប់ទៅផ្ទះវិញ។",
        ["education", "health", "reintegration"],
        ["justice", "institutions"],
        ["deprived-of-liberty"],
        ["4.5"],
    ),
]

# (reference suffix, text_en, text_km) — illustrative, written for the demo; not the real 2021
# requests of the Child and Youth-Led Networks.
REQUESTS = [
    (
        "1",
        "Illustrative request (demo): explain our rights to us in words we understand when we "
        "are arrested.",
        "សំណើឧទាហរណ៍ (ទិន្នន័យសាកល្បង)៖ សូមពន្យល់សិទ្ធិរបស់យើងដោយពាក្យដែលយើងយល់ នៅពេលយើងត្រូវបានចាប់ខ្លួន។",
    ),
    (
        "2",
        "Illustrative request (demo): let us stay in touch with our families while we are away "
        "from home.",
        "សំណើឧទាហរណ៍ (ទិន្នន័យសាកល្បង)៖ សូមអនុញ្ញាតឱ្យយើងទាក់ទងជាមួយគ្រួសាររបស់យើង ពេលយើងនៅឆ្ងាយពីផ្ទះ។",
    ),
    (
        "3",
        "Illustrative request (demo): ask children what they think before deciding where they "
        "will live.",
        "សំណើឧទាហរណ៍ (ទិន្នន័យសាកល្បង)៖ សូមសួរយោបល់កុមារ មុនពេលសម្រេចថាពួកគេនឹងរស់នៅទីណា។",
    ),
]


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def ministries(actor: Any) -> dict[str, Organisation]:
    """The Ministry of Justice and the Ministry of Interior's General Department of Prisons
    (created if missing), and MoSVY (created with the demo people)."""
    found: dict[str, Organisation] = {}
    for m in MINISTRIES:
        org = Organisation.objects.filter(slug=m["slug"]).first()
        if org is None:
            org = organisation_create(
                actor=actor,
                data={
                    "name_en": m["name_en"],
                    "name_km": m["name_km"],
                    "acronym": m["acronym"],
                    "kind": Organisation.Kind.GOVERNMENT,
                    "scope": Organisation.Scope.NATIONAL,
                },
                thematic_areas=ThematicArea.objects.filter(code__in=m["areas"]),
            )
            if org.slug != m["slug"]:
                org.slug = m["slug"]
                org.save(update_fields=["slug"])
        found[m["slug"]] = org
    mosvy = Organisation.objects.filter(slug=MOSVY_SLUG).first()
    if mosvy is not None:
        found[MOSVY_SLUG] = mosvy
    return found


class _Recorder:
    """Records assessments as the people who would: the author creates (and adds evidence) and
    submits, the analyst validates, the secretariat publishes."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.secretariat = users["secretariat"]
        self.validator = users.get("analyst") or self.secretariat
        self.users = users

    def assess(
        self,
        item: Item,
        author: Any,
        perspective: str,
        status: str,
        days_ago: int,
        state: str,
        summary_en: str,
        summary_km: str = "",
        evidence: tuple[str, str, str] | None = None,
    ) -> Assessment:
        a = services.assessment_create(
            actor=author,
            item=item,
            perspective=perspective,
            status=status,
            assessed_on=_days(-days_ago),
            summary_en=summary_en,
            summary_km=summary_km,
        )
        if evidence is not None:
            title, url, tier = evidence
            services.evidence_add(actor=author, assessment=a, title=title, url=url, tier=tier)
        if state == AssessmentState.DRAFT:
            return a
        a = services.assessment_submit(actor=author, assessment=a)
        if state == AssessmentState.SUBMITTED:
            return a
        a = services.assessment_validate(actor=self.validator, assessment=a)
        if state == AssessmentState.VALIDATED:
            return a
        return services.assessment_publish(actor=self.secretariat, assessment=a)


def _crc_source(secretariat: Any) -> Source:
    return services.source_save(
        actor=secretariat,
        data={
            "code": CRC_CODE,
            "type": SourceType.CRC_OBSERVATIONS,
            "title_en": "DEMO DATA — CRC-style concluding observations (synthetic, not a UN text)",
            "title_km": "ទិន្នន័យសាកល្បង — សេចក្តីសន្និដ្ឋានតាមទម្រង់ CRC (មិនមែនជាឯកសារអង្គការសហប្រជាជាតិ)",
            "date": dt.date(2022, 6, 1),
            "issuing_body_en": "Demo: a treaty body (synthetic)",
            "issuing_body_km": "ទិន្នន័យសាកល្បង៖ គណៈកម្មាធិការសន្ធិសញ្ញា",
            "symbol": "DEMO/CRC/KHM/CO",
            "citation": "Written for Komar's demo; the wording paraphrases common CRC themes and "
            "is not taken from any UN document.",
        },
    )


def _requests_source(secretariat: Any) -> Source:
    return services.source_save(
        actor=secretariat,
        data={
            "code": REQUESTS_CODE,
            "type": SourceType.CHILDREN_REQUESTS,
            "title_en": "DEMO DATA — children's requests (illustrative, not the 2021 requests)",
            "title_km": "ទិន្នន័យសាកល្បង — សំណើរបស់កុមារ (ឧទាហរណ៍ មិនមែនសំណើឆ្នាំ ២០២១)",
            "date": dt.date(2021, 11, 20),
            "issuing_body_en": "Demo: a children's and youth network (illustrative)",
            "issuing_body_km": "ទិន្នន័យសាកល្បង៖ បណ្តាញកុមារ និងយុវជន",
            "symbol": "DEMO/REQ",
            "citation": "Written for Komar's demo to show how children's requests are followed.",
        },
    )


def demo_commitments(users: dict[str, Any]) -> None:
    secretariat, government = users.get("secretariat"), users.get("government")
    if secretariat is None or government is None:
        return
    if Source.objects.filter(code=CRC_CODE).exists():
        return
    orgs = ministries(secretariat)
    moj, gdp, mosvy = orgs[MOJ_SLUG], orgs[GDP_SLUG], orgs.get(MOSVY_SLUG)
    rec = _Recorder(users)
    coalition_author = secretariat
    monitor = users.get("monitor") or secretariat

    # The CRC-style source and its items.
    source = _crc_source(secretariat)
    due = {0: -20, 1: 10, 5: 180}  # overdue, due soon, later
    crc: list[Item] = []
    for i, (para, text_en, text_km, sum_en, sum_km, themes, situations, groups, sdg) in enumerate(
        CRC_ITEMS
    ):
        item = services.item_create(
            actor=secretariat,
            source=source,
            data={
                "reference": f"DEMO/CRC/KHM/CO §{para}",
                "paragraph": para,
                "kind": "observation",
                "text_en": text_en,
                "text_km": text_km,
                "summary_en": sum_en,
                "summary_km": sum_km,
                "state_response": "noted" if para == "4" else "supported",
                "state_response_on": dt.date(2022, 9, 15),
                "due_on": _days(due[i]) if i in due else None,
                "focal_point": government if i in due else None,
            },
            categories={
                "themes": themes,
                "situations": situations,
                "affected_groups": groups,
                "sdg_targets": sdg,
            },
        )
        crc.append(item)
    actors: list[list[tuple[Organisation | None, str]]] = [
        [(moj, LEAD), (gdp, SUPPORTING)],
        [(moj, LEAD), (mosvy, SUPPORTING)],
        [(gdp, LEAD)],
        [(gdp, LEAD), (moj, SUPPORTING)],
        [(mosvy, LEAD), (gdp, SUPPORTING)],
        [(mosvy, LEAD), (gdp, SUPPORTING)],
    ]
    for item, pairs in zip(crc, actors, strict=True):
        for org, role in pairs:
            if org is not None:
                services.actor_set(actor=secretariat, item=item, organisation=org, role=role)
    for item in crc[:5]:
        services.item_publish(actor=secretariat, item=item, published=True)

    # The Global Study's overarching recommendations (loaded by the reference loader).
    study = {i.reference: i for i in Item.objects.filter(reference__startswith="A/74/136 OR-")}
    study_actors: dict[str, list[tuple[Organisation | None, str]]] = {
        "A/74/136 OR-1": [(moj, LEAD), (gdp, SUPPORTING), (mosvy, SUPPORTING)],
        "A/74/136 OR-2": [(mosvy, LEAD), (moj, SUPPORTING)],
        "A/74/136 OR-3": [(moj, LEAD), (gdp, SUPPORTING)],
        "A/74/136 OR-4": [(mosvy, LEAD), (moj, SUPPORTING)],
        "A/74/136 OR-5": [(mosvy, LEAD), (gdp, SUPPORTING)],
    }
    for reference, pairs in study_actors.items():
        study_item = study.get(reference)
        if study_item is None or study_item.is_archived or study_item.actors.exists():
            continue
        for org, role in pairs:
            if org is not None:
                services.actor_set(actor=secretariat, item=study_item, organisation=org, role=role)

    P, V, S, D = (
        AssessmentState.PUBLISHED,
        AssessmentState.VALIDATED,
        AssessmentState.SUBMITTED,
        AssessmentState.DRAFT,
    )
    # §1: the government reports it implemented; the coalition sees it partly — a gap.
    rec.assess(
        crc[0],
        government,
        GOVERNMENT,
        Progress.IMPLEMENTED,
        60,
        P,
        "The Juvenile Justice Law requires detention as a last resort (demo report).",
        "ច្បាប់ស្តីពីយុត្តិធម៌អនីតិជនតម្រូវឱ្យការឃុំខ្លួនជាវិធានការចុងក្រោយ (របាយការណ៍សាកល្បង)។",
        evidence=(
            "Government progress note (demo)",
            "https://example.org/komar-demo/gov-note",
            Tier.PUBLIC,
        ),
    )
    rec.assess(
        crc[0],
        coalition_author,
        COALITION,
        Progress.PARTLY,
        45,
        P,
        "The law is in place, but monitors still find children on remand for months (demo).",
        "ច្បាប់មានហើយ ប៉ុន្តែអ្នកត្រួតពិនិត្យនៅតែឃើញកុមារជាប់ឃុំបណ្តោះអាសន្នរាប់ខែ (សាកល្បង)។",
        evidence=(
            "Summary of monitoring visits (demo)",
            "https://example.org/komar-demo/visit-summary",
            Tier.COALITION,
        ),
    )
    # §2: both views agree it is in progress; a newer coalition view awaits publication.
    rec.assess(
        crc[1],
        government,
        GOVERNMENT,
        Progress.IN_PROGRESS,
        90,
        P,
        "Pilot started (demo).",
        "បានចាប់ផ្តើមគម្រោងសាកល្បង (សាកល្បង)។",
    )
    rec.assess(
        crc[1],
        coalition_author,
        COALITION,
        Progress.IN_PROGRESS,
        80,
        P,
        "Agreed (demo).",
        "យល់ស្រប (សាកល្បង)។",
    )
    rec.assess(
        crc[1],
        monitor,
        COALITION,
        Progress.PARTLY,
        10,
        V,
        "Two provinces now (demo).",
        "ឥឡូវនេះមានពីរខេត្ត (សាកល្បង)។",
    )
    # §3: implemented according to the government, not started according to monitors — a gap.
    rec.assess(
        crc[2], government, GOVERNMENT, Progress.IMPLEMENTED, 120, P, "Separate cells (demo)."
    )
    rec.assess(
        crc[2],
        monitor,
        COALITION,
        Progress.NOT_STARTED,
        100,
        P,
        "Children seen with adults (demo).",
    )
    rec.assess(
        crc[2],
        monitor,
        COALITION,
        Progress.IN_PROGRESS,
        5,
        S,
        "Some change (demo).",
        "មានការផ្លាស់ប្តូរខ្លះ (សាកល្បង)។",
    )
    # §4: the coalition's published view; the government's report still a draft.
    rec.assess(
        crc[3],
        coalition_author,
        COALITION,
        Progress.NOT_STARTED,
        30,
        P,
        "No mechanism (demo).",
        "មិនទាន់មានយន្តការ (សាកល្បង)។",
    )
    rec.assess(
        crc[3],
        government,
        GOVERNMENT,
        Progress.IN_PROGRESS,
        3,
        D,
        "Being studied (demo).",
        "កំពុងសិក្សា (សាកល្បង)។",
    )
    # §5: a government report submitted; a coalition draft.
    rec.assess(
        crc[4],
        government,
        GOVERNMENT,
        Progress.IN_PROGRESS,
        15,
        S,
        "New form (demo).",
        "ទម្រង់បែបបទថ្មី (សាកល្បង)។",
    )
    rec.assess(
        crc[4],
        monitor,
        COALITION,
        Progress.NOT_STARTED,
        12,
        D,
        "No data yet (demo).",
        "មិនទាន់មានទិន្នន័យ (សាកល្បង)។",
    )
    # §6: a validated government report, not yet published.
    rec.assess(
        crc[5],
        government,
        GOVERNMENT,
        Progress.IN_PROGRESS,
        20,
        V,
        "Classes (demo).",
        "ថ្នាក់រៀន (សាកល្បង)។",
    )

    # The Global Study: a third gap on OR-1, one agreement on OR-5.
    or1, or5 = study.get("A/74/136 OR-1"), study.get("A/74/136 OR-5")
    if or1 is not None and not or1.is_archived:
        rec.assess(
            or1,
            government,
            GOVERNMENT,
            Progress.PARTLY,
            50,
            P,
            "Fewer children (demo).",
            "កុមារតិចជាងមុន (សាកល្បង)។",
        )
        rec.assess(
            or1,
            coalition_author,
            COALITION,
            Progress.REGRESSED,
            40,
            P,
            "More children than before (demo).",
            "កុមារច្រើនជាងមុន (សាកល្បង)។",
        )
    if or5 is not None and not or5.is_archived:
        rec.assess(
            or5,
            government,
            GOVERNMENT,
            Progress.IN_PROGRESS,
            70,
            P,
            "Census (demo).",
            "ជំរឿន (សាកល្បង)។",
        )
        rec.assess(
            or5,
            monitor,
            COALITION,
            Progress.IN_PROGRESS,
            65,
            P,
            "Agreed (demo).",
            "យល់ស្រប (សាកល្បង)។",
        )

    # Actions by NGOs and by a ministry.
    lac, kt = users.get("lac_admin"), users.get("kt_admin")
    if lac is not None:
        services.action_create(
            actor=lac,
            item=crc[0],
            description="Free lawyers for every child at pre-trial hearings in two provinces "
            "(demo).",
            status=Action.Status.ONGOING,
            starts_on=_days(-120),
            due_on=_days(90),
            responsible=lac,
        )
    if kt is not None:
        services.action_create(
            actor=kt,
            item=crc[1],
            description="Community diversion pilot with family support (demo).",
            status=Action.Status.PLANNED,
            due_on=_days(7),
            responsible=kt,
        )
    services.action_create(
        actor=government,
        item=crc[4],
        description="Draft a data form for every centre holding children (demo).",
        status=Action.Status.ONGOING,
        starts_on=_days(-60),
        due_on=_days(-5),
        responsible=government,
    )
    done = services.action_create(
        actor=monitor,
        item=crc[3],
        description="Briefing for parliamentarians on independent monitoring (demo).",
        status=Action.Status.PLANNED,
        due_on=_days(-30),
    )
    services.action_set_status(actor=monitor, action=done, status=Action.Status.DONE)

    # §4 overlaps the Global Study's recommendation to ratify OPCAT.
    or3 = study.get("A/74/136 OR-3")
    if or3 is not None and not ItemLink.objects.filter(from_item=crc[3], to_item=or3).exists():
        services.link_add(
            actor=secretariat, from_item=crc[3], to_item=or3, kind=ItemLink.Kind.OVERLAPS
        )

    # Illustrative children's requests.
    requests = Source.objects.filter(code=REQUESTS_CODE).first() or _requests_source(secretariat)
    for n, text_en, text_km in REQUESTS:
        reference = f"DEMO/REQ-{n}"
        if Item.objects.filter(reference=reference).exists():
            continue
        item = services.item_create(
            actor=secretariat,
            source=requests,
            data={
                "reference": reference,
                "paragraph": n,
                "kind": "request",
                "text_en": text_en,
                "text_km": text_km,
                "summary_en": text_en,
                "summary_km": text_km,
            },
            categories={"themes": ["participation"], "affected_groups": ["children"]},
        )
        if mosvy is not None:
            services.actor_set(actor=secretariat, item=item, organisation=mosvy, role=LEAD)
        services.item_publish(actor=secretariat, item=item, published=True)
