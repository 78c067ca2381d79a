"""The statement pages through the web: the whole journey of the issue's "Done when", the bad
input that must be refused with nothing stored, versions, and query counts."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.notifications.models import Notification
from komar.statements import services
from komar.statements.khmer import ZWSP
from komar.statements.models import Endorsement, Statement
from tests.conftest import World, login, query_count
from tests.statements.helpers import (
    TEXT_KM,
    TITLE_KM,
    endorse,
    fresh,
    make_statement,
    org_with_admin,
    statement_data,
)
from tests.statements.test_pdf import pdf_fonts, pdf_text, skeleton

pytestmark = pytest.mark.django_db
SEC = Role.SECRETARIAT_ADMIN
ORDER = {
    "order_organising_committee": "1",
    "order_speaker": "2",
    "order_endorser": "3",
    "order_network": "4",
}


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {k: str(v) for k, v in statement_data().items()}
    data.update(ORDER)
    data.update(overrides)
    return data


def page_text(response: Any) -> str:
    """The page's visible words: tags dropped, zero-width spaces removed, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace(ZWSP, "").split())


def as_user(user: Any) -> Client:
    return login(Client(headers={"accept-language": "en"}), user)


def endorse_form(org: Any, role: str, **extra: Any) -> dict[str, Any]:
    return {"organisation": org.pk, "role": role, "note_en": "", "note_km": "", **extra}


# The whole journey ---------------------------------------------------------------------------


def test_committee_drafts_three_endorse_one_withdraws_secretariat_publishes(
    world: World, tmp_path: Path
) -> None:
    committee = as_user(world.user(Role.ORG_ADMIN))
    response = committee.post("/statements/new/", form_data(organisation=world.org_a.pk))
    assert response.status_code == 302, page_text(response)[:500]
    statement = Statement.objects.get(title_km=TITLE_KM)
    slug = statement.slug
    assert response["Location"] == f"/statements/{slug}/"
    assert statement.text_km.replace("\r\n", "\n") == TEXT_KM
    assert statement.status == "draft"
    assert committee.post(f"/statements/{slug}/move/open/").status_code == 302
    assert fresh(statement).status == "open"

    gi, gi_user = org_with_admin("Global Initiative on Justice with Children", "គំនិតផ្តួចផ្តើមសកល")
    stc, stc_user = org_with_admin("Save the Children", "សេវ ឌឹ ឈីលដ្រែន")
    cac, cac_user = org_with_admin("Chab Dai Coalition", "សម្ព័ន្ធចាប់ដៃ")
    endorsements = [
        (
            gi_user,
            endorse_form(
                gi,
                "organising_committee",
                note_en="represented by Terre des hommes",
                note_km="តំណាងដោយ Terre des hommes",
            ),
        ),
        (stc_user, endorse_form(stc, "speaker")),
        (cac_user, endorse_form(cac, "endorser")),
    ]
    for user, data in endorsements:
        client = as_user(user)
        assert client.get(f"/statements/{slug}/endorse/").status_code == 200
        response = client.post(f"/statements/{slug}/endorse/", data)
        assert response.status_code == 302, page_text(response)[:800]
    assert statement.endorsements.filter(status="pending").count() == 3

    # Save the Children withdraws
    withdrawn = Endorsement.objects.get(organisation=stc)
    speaker = as_user(stc_user)
    assert "Withdraw" in page_text(speaker.get(f"/statements/{slug}/"))
    assert speaker.post(f"/statements/endorsements/{withdrawn.pk}/withdraw/").status_code == 302
    assert Endorsement.objects.get(pk=withdrawn.pk).status == "withdrawn"

    # the secretariat approves the others and publishes
    sec = as_user(world.user(SEC))
    manage = sec.get(f"/statements/{slug}/manage/")
    assert manage.status_code == 200
    assert "2 awaiting a decision" in page_text(manage)
    for e in statement.endorsements.filter(status="pending"):
        response = sec.post(f"/statements/endorsements/{e.pk}/decide/", {"decision": "approve"})
        assert response.status_code == 302
    assert sec.post(f"/statements/{slug}/move/publish/").status_code == 302
    assert fresh(statement).status == "published"

    # the public page lists exactly the remaining signatories, grouped by role in order
    public = Client(headers={"accept-language": "en"})
    text = page_text(public.get(f"/statements/{slug}/"))
    assert (
        "Signatories Organising committee 1. Global Initiative on Justice with Children – "
        "represented by Terre des hommes Endorsing organisation 1. Chab Dai Coalition"
    ) in text
    assert "Save the Children" not in text
    assert "Phnom Penh, 5 May 2026" in text
    khmer = Client(headers={"accept-language": "km"})
    km_text = page_text(khmer.get(f"/statements/{slug}/"))
    assert "1. គំនិតផ្តួចផ្តើមសកល – តំណាងដោយ Terre des hommes" in km_text
    assert "1. សម្ព័ន្ធចាប់ដៃ" in km_text and "សេវ ឌឹ ឈីលដ្រែន" not in km_text
    assert TITLE_KM in km_text

    # and the PDF matches
    response = public.get(f"/statements/{slug}/pdf/?lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if _has_poppler():  # .ci/run installs poppler-utils
        pdf_words = " ".join(pdf_text(response.content, tmp_path).split())
        assert (
            "Signatories Organising committee 1. Global Initiative on Justice with Children – "
            "represented by Terre des hommes Endorsing organisation 1. Chab Dai Coalition"
        ) in pdf_words
        assert "Save the Children" not in pdf_words
        km_pdf = public.get(f"/statements/{slug}/pdf/?lang=km").content
        assert skeleton(TITLE_KM) in skeleton(pdf_text(km_pdf, tmp_path))
        assert "Noto-Sans-Khmer" in pdf_fonts(km_pdf, tmp_path)


def _has_poppler() -> bool:
    import shutil

    return bool(shutil.which("pdftotext"))


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
def test_endorsing_a_statement_not_open_is_refused(world: World, status: str) -> None:
    s = make_statement(world, status)
    # the committee's own organisation sees drafts; organisation B does not
    user = world.user(Role.ORG_ADMIN)
    response = as_user(user).post(
        f"/statements/{s.slug}/endorse/", endorse_form(world.org_a, "endorser")
    )
    assert response.status_code == 400
    assert "This statement is not open for sign-on." in page_text(response)
    assert s.endorsements.count() == 0


def test_endorsing_twice_is_refused(world: World) -> None:
    s = make_statement(world, "open")
    client = as_user(world.other_admin)
    assert (
        client.post(
            f"/statements/{s.slug}/endorse/", endorse_form(world.org_b, "endorser")
        ).status_code
        == 302
    )
    response = client.post(f"/statements/{s.slug}/endorse/", endorse_form(world.org_b, "speaker"))
    assert response.status_code == 400
    assert "This organisation has already endorsed this statement." in page_text(response)
    assert s.endorsements.count() == 1 and s.endorsements.get().role == "endorser"


def test_endorsing_for_an_organisation_you_are_not_authorised_for(world: World) -> None:
    s = make_statement(world, "open")
    client = as_user(world.other_admin)
    page = client.get(f"/statements/{s.slug}/endorse/")
    assert world.org_b.name_en in page_text(page) and world.org_a.name_en not in page_text(page)
    response = client.post(f"/statements/{s.slug}/endorse/", endorse_form(world.org_a, "endorser"))
    assert response.status_code == 400
    assert re.search(
        r'id="id_organisation_error">You are not authorised for this organisation\.<',
        response.content.decode(),
    )
    assert s.endorsements.count() == 0


def test_withdrawing_after_publication_is_refused(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)
    services.statement_publish(actor=world.user(SEC), statement=s)
    response = as_user(world.other_admin).post(f"/statements/endorsements/{e.pk}/withdraw/")
    assert response.status_code == 400
    assert "The statement is published: an endorsement can no longer be withdrawn." in page_text(
        response
    )
    assert Endorsement.objects.get(pk=e.pk).status == "approved"


def test_editing_a_published_statement_is_refused(world: World) -> None:
    s = make_statement(world, "published")
    client = as_user(world.user(Role.ORG_ADMIN))
    response = client.post(f"/statements/{s.slug}/edit/", form_data(title_en="Changed"))
    assert response.status_code == 400
    assert "This statement is published: it can no longer be changed." in page_text(response)
    assert fresh(s).title_en != "Changed" and fresh(s).version == 1
    assert client.get(f"/statements/{s.slug}/edit/").status_code == 302


def test_publishing_with_pending_endorsements_names_them(world: World) -> None:
    s = make_statement(world, "open")
    endorse(s, world.org_b, world.other_admin)
    response = as_user(world.user(SEC)).post(f"/statements/{s.slug}/move/publish/")
    assert response.status_code == 400
    assert "Still awaiting a decision: Krousar Thmey." in page_text(response)
    assert fresh(s).status == "open"


def test_bad_form_input_stores_nothing(world: World) -> None:
    before = Statement.objects.count()
    client = as_user(world.user(Role.ORG_ADMIN))
    response = client.post("/statements/new/", form_data(title_km="", order_speaker="1"))
    assert response.status_code == 400
    assert "Give each group of signatories a different place." in page_text(response)
    assert Statement.objects.count() == before


# Versions ------------------------------------------------------------------------------------


def test_change_while_open_makes_version_two_and_endorsers_see_it(world: World) -> None:
    s = make_statement(world, "open")
    endorse(s, world.org_b, world.other_admin)
    new_text = s.text_en.replace("ten requests", "ten concrete requests")
    response = as_user(world.user(Role.ORG_ADMIN)).post(
        f"/statements/{s.slug}/edit/", form_data(text_en=new_text)
    )
    assert response.status_code == 302
    assert (fresh(s).version, fresh(s).status) == (2, "open")
    note = Notification.objects.get(user=world.other_admin, key__startswith="statements.")
    assert note.url == f"/statements/{s.slug}/"
    endorser = as_user(world.other_admin)
    text = page_text(endorser.get(f"/statements/{s.slug}/"))
    assert "endorsed version 1" in text
    assert "Reconfirm for version 2" in text
    history = page_text(endorser.get(f"/statements/{s.slug}/versions/"))
    assert "Version 2" in history and "Version 1" in history
    assert "We fully support the ten concrete requests of the children." in history
    e = s.endorsements.get()
    assert endorser.post(f"/statements/endorsements/{e.pk}/reconfirm/").status_code == 302
    assert Endorsement.objects.get(pk=e.pk).version == 2
    manage = page_text(as_user(world.user(SEC)).get(f"/statements/{s.slug}/manage/"))
    assert "endorsed version 2" in manage


# Pages ---------------------------------------------------------------------------------------


def test_list_shows_published_to_everyone_and_more_to_members(world: World) -> None:
    make_statement(world, "published", title_en="Published statement")
    make_statement(world, "open", title_en="Open statement")
    make_statement(world, title_en="Draft statement")
    anonymous = page_text(Client(headers={"accept-language": "en"}).get("/statements/"))
    assert "Published statement" in anonymous and "Open statement" not in anonymous
    member = page_text(as_user(world.other_admin).get("/statements/"))
    assert "Open statement" in member and "Draft statement" not in member
    committee = page_text(as_user(world.user(Role.MONITOR)).get("/statements/"))
    assert "Draft statement" in committee


def test_anonymous_ones_are_counted_not_named(world: World) -> None:
    s = make_statement(world, "open")
    hidden, hidden_user = org_with_admin("Org At Risk", "អង្គការប្រឈមហានិភ័យ")
    other, other_user = org_with_admin("Another At Risk", "មួយទៀត")
    for org, user in ((hidden, hidden_user), (other, other_user)):
        endorse(s, org, user, anonymous=True)
    endorse(s, world.org_b, world.other_admin)
    for e in s.endorsements.all():
        services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)
    services.statement_publish(actor=world.user(SEC), statement=s)
    text = page_text(Client(headers={"accept-language": "en"}).get(f"/statements/{s.slug}/"))
    assert "1. Krousar Thmey and 2 organisations that are not named" in text
    assert "At Risk" not in text


def test_linked_tracker_items_on_the_page(world: World) -> None:
    from tests.commitments.helpers import make_item

    s = make_statement(world)
    make_item(world, reference="STMT/LINK")
    client = as_user(world.user(Role.ORG_ADMIN))
    assert (
        client.post(f"/statements/{s.slug}/items/", {"reference": "STMT/LINK"}).status_code == 302
    )
    bad = client.post(f"/statements/{s.slug}/items/", {"reference": "NOPE"})
    assert bad.status_code == 400
    assert "No current item of the tracker has this reference." in page_text(bad)
    assert "STMT/LINK" in page_text(client.get(f"/statements/{s.slug}/"))


# Query counts --------------------------------------------------------------------------------


def test_list_query_count_is_constant(world: World) -> None:
    for user in (None, world.user(SEC)):
        client = as_user(user) if user else Client(headers={"accept-language": "en"})
        make_statement(world, "published", title_en="One")
        few = query_count(lambda c=client: c.get("/statements/"))
        for n in range(5):
            make_statement(world, "published", title_en=f"More {n}")
            make_statement(world, "open", title_en=f"Open {n}")
        many = query_count(lambda c=client: c.get("/statements/"))
        assert many == few


def test_statement_page_query_count_is_constant(world: World) -> None:
    from tests.commitments.helpers import make_item

    s = make_statement(world, "open")
    services.item_link(actor=world.user(SEC), statement=s, item=make_item(world))

    def add(n: int) -> None:
        org, user = org_with_admin(f"Org {n}", f"អង្គការ {n}")
        e = endorse(s, org, user, role=["endorser", "speaker"][n % 2], note_en=f"note {n}")
        services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)

    add(0)
    add(1)
    clients = {
        "anonymous": Client(headers={"accept-language": "en"}),
        "secretariat": as_user(world.user(SEC)),
        "endorser": as_user(world.other_admin),
    }
    services.statement_publish(actor=world.user(SEC), statement=s)
    few = {k: query_count(lambda c=c: c.get(f"/statements/{s.slug}/")) for k, c in clients.items()}
    state = fresh(s)
    state.status = "open"
    state.save()
    for n in range(2, 8):
        add(n)
    state.status = "published"
    state.save()
    services.item_link(actor=world.user(SEC), statement=s, item=make_item(world))
    many = {k: query_count(lambda c=c: c.get(f"/statements/{s.slug}/")) for k, c in clients.items()}
    assert many == few
    manage = as_user(world.user(SEC))
    assert manage.get(f"/statements/{s.slug}/manage/").status_code == 200
