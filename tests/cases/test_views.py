"""The case pages as a caseworker, an admin and another organisation use them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone, translation

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.cases import services
from komar.cases.models import Case, ChildIdentity, LegalRule, Referral, TimelineEvent
from komar.cases.tasks import notify_watch_bands, recompute_deadlines
from komar.notifications.models import Notification
from tests.cases.helpers import add_event, days_ago, detained_case, open_case
from tests.conftest import World, login, query_count


def _open_form(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": world.org_a.pk,
        "name_km": "ចាន់ សុភា",
        "name_latin": "Chan Sophea",
        "birth_date": "2010-03-04",
        "sex": "female",
        **extra,
    }


def test_a_caseworker_opens_a_case_and_is_warned_before_a_duplicate(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.CASEWORKER))
    response = client.post("/cases/new/", _open_form(world))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.code}/"
    # The same child typed another way: a warning naming the existing case, and nothing saved.
    again = client.post(
        "/cases/new/", _open_form(world, name_km="ចាន់  សុភា", name_latin="SOPHEA Chan")
    )
    assert again.status_code == 400
    assert case.code in again.content.decode()
    assert "may already have a case" in again.content.decode()
    assert Case.objects.count() == 1
    confirmed = client.post(
        "/cases/new/",
        _open_form(world, name_latin="SOPHEA Chan", confirm_not_duplicate="on"),
    )
    assert confirmed.status_code == 302
    assert Case.objects.count() == 2


def test_opening_refuses_a_child_who_was_an_adult_and_keeps_the_input(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.CASEWORKER))
    response = client.post(
        "/cases/new/", _open_form(world, birth_date="2000-01-01", offence_date="2020-01-01")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "a case here is for a minor" in body
    assert 'value="Chan Sophea"' in body  # nothing the user typed is lost
    assert Case.objects.count() == 0


def test_recording_events_moves_the_deadline_shown_on_the_record(
    world: World, client: Client
) -> None:
    case = open_case(world, age=15)
    login(client, world.user(Role.CASEWORKER))
    arrest = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        f"/cases/{case.code}/events/",
        {"version": case.version, "kind": "arrest", "date": arrest.isoformat(), "time": "08:00"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Police custody of a minor aged 14 to 17: 24 hours" in page
    assert "past the limit" in page
    assert "not yet verified" in page
    case.refresh_from_db()
    order = client.post(
        f"/cases/{case.code}/events/",
        {
            "version": case.version,
            "kind": "charge",
            "date": arrest.isoformat(),
            "offence_class": "felony",
        },
    )
    assert order.status_code == 302
    case.refresh_from_db()
    client.post(
        f"/cases/{case.code}/events/",
        {
            "version": case.version,
            "kind": "pretrial_order",
            "date": arrest.isoformat(),
            "time": "20:00",
        },
    )
    case.refresh_from_db()
    assert case.legal_status == "pretrial_detention"
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "4 months" in page  # the 14–15 felony rule
    assert "days left" in page


def test_an_impossible_event_is_refused_with_a_message_and_nothing_changes(
    world: World, client: Client
) -> None:
    case = open_case(world)
    login(client, world.user(Role.CASEWORKER))
    response = client.post(
        f"/cases/{case.code}/events/",
        {"version": case.version, "kind": "release", "date": days_ago(1).isoformat()},
    )
    assert response.status_code == 400
    assert "A release needs the child to be detained" in response.content.decode()
    assert TimelineEvent.objects.count() == 0
    assert Case.objects.get(pk=case.pk).version == case.version


def test_a_stale_save_is_told_what_changed_and_overwrites_nothing(
    world: World, client: Client
) -> None:
    case = detained_case(world)
    seen = case.version
    add_event(case, world.user(Role.ORG_ADMIN), kind="transfer", date=days_ago(0), place_text="X")
    login(client, world.user(Role.CASEWORKER))
    response = client.post(
        f"/cases/{case.code}/edit/", {"version": seen, "primero_case_id": "PRM-9"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body
    assert world.user(Role.ORG_ADMIN).email in body
    assert Case.objects.get(pk=case.pk).primero_case_id == ""


def test_a_third_organisation_cannot_see_the_case_until_it_is_referred_and_then_only_what_is_shared(
    world: World, client: Client
) -> None:
    case = detained_case(world)
    services.note_add(actor=world.user(Role.CASEWORKER), case=case, text="Secret note")
    login(client, world.other_admin)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    assert case.code not in client.get("/cases/").content.decode()
    consent = services.consent_record(
        actor=world.user(Role.CASEWORKER),
        case=case,
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Mother",
            "given_on": days_ago(1),
        },
    )
    services.referral_create(
        actor=world.user(Role.CASEWORKER),
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Needs family tracing",
        consent_id=consent.pk,
        shares={"share_timeline": True},
    )
    listing = client.get("/cases/").content.decode()
    assert "Referred to your organisation" in listing and case.code in listing
    page = client.get(f"/cases/{case.code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Legal timeline" in body
    assert "Secret note" not in body and "Confidential notes" not in body
    assert "Sok Dara" not in body
    assert client.get(f"/cases/{case.code}/identity/").status_code == 403
    answer = client.post(
        f"/cases/{case.code}/referrals/answer/", {"decision": "decline", "answer_note": "Full"}
    )
    assert answer.status_code == 302
    assert Referral.objects.get().status == "declined"
    assert client.get(f"/cases/{case.code}/").status_code == 404


def test_showing_the_identity_is_logged_with_its_purpose(world: World, client: Client) -> None:
    case = open_case(world)
    login(client, world.user(Role.CASEWORKER))
    detail = client.get(f"/cases/{case.code}/").content.decode()
    assert "Sok Dara" not in detail  # hidden by default
    shown = client.post(f"/cases/{case.code}/identity/", {"purpose": "Prison visit"})
    assert "Sok Dara" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="cases.case.identity_read").get()
    assert event.changes == {"purpose": "Prison visit"}
    assert AuditEvent.objects.filter(action="cases.case.read", target_id=str(case.pk)).count() == 1
    # The organisation admin reads the case's access log; the caseworker may not.
    assert client.get(f"/cases/{case.code}/access-log/").status_code == 403
    login(client, world.user(Role.ORG_ADMIN))
    log = client.get(f"/cases/{case.code}/access-log/").content.decode()
    assert "cases.case.identity_read" in log and "Prison visit" in log
    assert "Sok Dara" not in log


def test_exports_are_deidentified_unless_the_separate_permission_and_are_logged(
    world: World, client: Client
) -> None:
    case = detained_case(world)
    login(client, world.user(Role.CASEWORKER))
    refused = client.post("/cases/export/", {"purpose": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client.post("/cases/export/", {"purpose": "Quarterly report", "identifiable": "on"})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert case.code in text and "Sok Dara" not in text and "name_km" not in text
    login(client, world.user(Role.ORG_ADMIN))
    full = client.post("/cases/export/", {"purpose": "Court file", "identifiable": "on"})
    assert "Sok Dara" in full.content.decode()
    kinds = list(
        AuditEvent.objects.filter(action="cases.export")
        .order_by("seq")
        .values_list("changes", flat=True)
    )
    assert [k["kind"] for k in kinds] == ["de-identified", "identifiable"]
    assert [k["purpose"] for k in kinds] == ["Quarterly report", "Court file"]
    assert (
        AuditEvent.objects.filter(action="cases.case.exported", target_id=str(case.pk)).count() == 2
    )


def _several(world: World, n: int) -> None:
    for i in range(n):
        detained_case(world, name_latin=f"Child {i}", name_km=f"កុមារ {i}", arrested_days_ago=5 + i)


def test_list_and_watch_query_counts_do_not_grow_with_the_cases(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.CASEWORKER))
    _several(world, 2)
    counts_small = [query_count(lambda u=u: client.get(u)) for u in ("/cases/", "/cases/watch/")]
    _several(world, 6)
    counts_large = [query_count(lambda u=u: client.get(u)) for u in ("/cases/", "/cases/watch/")]
    assert counts_small == counts_large
    assert Case.objects.count() == 8


def test_the_case_list_pages_by_cursor_through_every_case_once(
    world: World, client: Client, settings: Any
) -> None:
    """Next and Last links walk the list (newest first, ties by id) without an offset; each
    page costs as many queries as the first."""
    import re

    settings.KOMAR_PAGE_SIZE = 2
    login(client, world.user(Role.CASEWORKER))
    _several(world, 5)
    expected = list(Case.objects.order_by("-opened_on", "-pk").values_list("code", flat=True))
    first = client.get("/cases/")
    assert "5 cases" in first.content.decode()
    url, seen, counts = "/cases/", [], []
    while url:
        counts.append(query_count(lambda url=url: client.get(url)))
        html = client.get(url).content.decode()
        seen += re.findall(r"<code>(C-[A-Z0-9-]+)</code>", html)
        found = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', html)
        url = "/cases/?" + found.group(1).replace("&amp;", "&") if found else ""
    assert seen == expected
    assert len(set(counts)) == 1 and len(counts) == 3
    last = client.get("/cases/?page=last").content.decode()
    assert re.findall(r"<code>(C-[A-Z0-9-]+)</code>", last) == expected[-2:]
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_the_watch_sorts_by_urgency_and_counts_each_band(world: World, client: Client) -> None:
    late = detained_case(world, name_latin="Late", name_km="យឺត", age=17, arrested_days_ago=200)
    soon = detained_case(world, name_latin="Soon", name_km="ឆាប់", age=17, arrested_days_ago=170)
    login(client, world.user(Role.CASEWORKER))
    response = client.get("/cases/watch/")
    body = response.content.decode()
    assert body.index(late.code) < body.index(soon.code)
    assert response.context["counts"]["past"] == 1
    assert response.context["counts"]["within_30"] == 1
    only_past = client.get("/cases/watch/?show=past").content.decode()
    assert late.code in only_past and soon.code not in only_past


def test_confirming_a_rule_recomputes_deadlines_and_clears_the_unverified_warning(
    world: World, client: Client
) -> None:
    case = detained_case(world, age=15)
    assert case.deadline_unverified
    rule = LegalRule.objects.get(code="pretrial-minor-14-16-felony")
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    response = client.post(
        f"/cases/rules/{rule.pk}/edit/",
        {
            "limit_value": 3,
            "limit_unit": "months",
            "max_extensions": 0,
            "citation_en": "Code of Criminal Procedure, art. 213 (checked)",
            "verified": "on",
        },
    )
    assert response.status_code == 302
    recompute_deadlines.call(rule.ruleset_id)
    before = case.deadline_at
    case.refresh_from_db()
    assert not case.deadline_unverified
    assert case.deadline_at is not None and before is not None and case.deadline_at < before
    assert AuditEvent.objects.filter(action="cases.rule.changed").exists()
    page = client.get("/cases/rules/").content.decode()
    assert "art. 213 (checked)" in page


def test_the_daily_watch_fills_the_inbox(world: World, client: Client) -> None:
    world.user(Role.CASEWORKER).__class__.objects.filter(pk=world.user(Role.CASEWORKER).pk).update(
        preferred_language="en"
    )
    detained_case(world, arrested_days_ago=200)
    notify_watch_bands.call()
    login(client, world.user(Role.CASEWORKER))
    page = client.get("/notifications/").content.decode()
    assert "past the legal limit" in page
    assert Notification.objects.filter(user=world.user(Role.CASEWORKER), read_at=None).exists()
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=world.user(Role.CASEWORKER), read_at=None).exists()


def test_case_pages_speak_khmer(world: World) -> None:
    case = detained_case(world)
    client = Client(headers={"accept-language": "km"})
    login(client, world.user(Role.CASEWORKER))
    with translation.override("km"):
        page = client.get(f"/cases/{case.code}/").content.decode()
        listing = client.get("/cases/").content.decode()
    assert 'lang="km"' in page
    assert "ពេលវេលាកំណត់" in page  # "legal deadline"
    assert "ករណី" in listing  # "case"


def test_identity_edit_keeps_the_values_encrypted(world: World, client: Client) -> None:
    case = open_case(world)
    login(client, world.user(Role.CASEWORKER))
    form = client.get(f"/cases/{case.code}/identity/edit/")
    assert "Sok Dara" in form.content.decode()
    response = client.post(
        f"/cases/{case.code}/identity/edit/",
        {
            "version": Case.objects.get(pk=case.pk).version,
            "name_km": "សុខ ដារា",
            "name_latin": "Sok Dara",
            "birth_date": ChildIdentity.objects.get(case=case).birth_date.isoformat(),  # type: ignore[union-attr]
            "guardian_name": "Grandmother Srey",
        },
    )
    assert response.status_code == 302
    assert ChildIdentity.objects.get(case=case).guardian_name == "Grandmother Srey"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT guardian_name FROM cases_childidentity")
        (raw,) = cursor.fetchone()
    assert "Srey" not in raw
    change = AuditEvent.objects.filter(action="cases.case.identity_changed").get()
    assert change.changes["guardian_name"] == {"changed": True}


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_a_photo_is_kept_encrypted_and_each_view_of_it_is_logged(
    world: World, client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = open_case(world)
    login(client, world.user(Role.CASEWORKER))
    identity = ChildIdentity.objects.get(case=case)
    base = {
        "name_km": identity.name_km,
        "name_latin": identity.name_latin,
        "birth_date": identity.birth_date.isoformat(),  # type: ignore[union-attr]
    }
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = client.post(
        f"/cases/{case.code}/identity/edit/",
        {
            **base,
            "version": Case.objects.get(pk=case.pk).version,
            "guardian_name": "G",
            "photo": fake,
        },
    )
    assert refused.status_code == 400 and "Upload a JPEG or PNG image" in refused.content.decode()
    assert ChildIdentity.objects.get(case=case).guardian_name in ("", None)  # all or nothing
    photo = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    saved = client.post(
        f"/cases/{case.code}/identity/edit/",
        {**base, "version": Case.objects.get(pk=case.pk).version, "photo": photo},
    )
    assert saved.status_code == 302
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT photo FROM cases_childidentity")
        (raw,) = cursor.fetchone()
    assert raw.startswith("gAAAAA")  # a Fernet token, not the image
    reads = AuditEvent.objects.filter(action="cases.case.identity_read").count()
    shown = client.get(f"/cases/{case.code}/identity/photo/")
    assert shown.content == PNG and shown["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="cases.case.identity_read").count() == reads + 1


def test_the_watch_puts_cases_without_a_deadline_after_those_with_one(
    world: World, client: Client
) -> None:
    flagged = open_case(world, name_latin="No Lawyer", name_km="គ្មាន", age=15)
    add_event(
        flagged, world.user(Role.CASEWORKER), kind="custody_end", date=days_ago(0)
    ) if False else None
    from komar.cases.models import Case as C

    C.objects.filter(pk=flagged.pk).update(detained=True, lawyer=None, deadline_at=None)
    late = detained_case(world, name_latin="Late", name_km="យឺត", age=17, arrested_days_ago=200)
    login(client, world.user(Role.CASEWORKER))
    body = client.get("/cases/watch/").content.decode()
    assert late.code in body and flagged.code in body
    assert body.index(late.code) < body.index(flagged.code)
