"""The children's feedback form: Khmer first, anonymous, small, refuses bad input and floods."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.db import models
from django.utils import timezone

from komar.audit.models import AuditEvent
from komar.geo.models import Province
from komar.participation import throttle
from komar.participation.models import TEXT_LIMIT, Feedback
from tests.participation.helpers import IP, good_token, post_feedback

pytestmark = pytest.mark.django_db


def test_form_speaks_khmer_first_even_when_the_site_is_english(client: Any) -> None:
    response = client.get("/voices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="km">' in html
    assert response["Content-Language"] == "km"
    assert 'href="?lang=en"' in html  # the child can switch
    # Provinces by their Khmer names.
    assert Province.objects.get(code="12").name_km in html


def test_the_child_can_switch_to_english(client: Any) -> None:
    html = client.get("/voices/?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert "What worries you?" in html
    assert 'href="?lang=km"' in html


def test_page_is_small_and_self_contained(client: Any) -> None:
    response = client.get("/voices/")
    html = response.content.decode()
    assert len(response.content) < 30_000
    assert "<script" not in html and "<img" not in html
    assert 'rel="stylesheet"' not in html and "@font-face" not in html and "url(" not in html
    assert '"Noto Sans Khmer","Khmer OS","Khmer OS System"' in html
    # The inline style is allowed by this page's own nonce, not by loosening the site's policy.
    csp = response["Content-Security-Policy"]
    assert "'nonce-" in csp and "unsafe-inline" not in csp


def test_a_message_is_stored_with_the_day_only(client: Any) -> None:
    province = Province.objects.get(code="17")
    response = post_feedback(client, age_band="12_14", province=province.pk)
    assert response.status_code == 302
    assert response["Location"] == "/voices/thanks/?lang=km"
    f = Feedback.objects.get()
    assert f.worries == "ខ្ញុំបារម្ភពីការរស់នៅក្នុងមណ្ឌល"
    assert (f.age_band, f.province, f.language) == ("12_14", province, "km")
    assert f.received_on == timezone.localdate()
    assert type(f.received_on) is dt.date  # a day, not a datetime
    assert client.get(response["Location"]).status_code == 200


def test_the_model_cannot_hold_identities_or_times() -> None:
    names = {f.name for f in Feedback._meta.get_fields()}
    for forbidden in ("name", "ip", "ip_address", "user_agent", "device", "email", "phone",
                      "created_at", "submitted_at", "session"):  # fmt: skip
        assert forbidden not in names
    timestamps = [
        f.name for f in Feedback._meta.get_fields()
        if isinstance(f, models.DateTimeField | models.TimeField | models.GenericIPAddressField)
    ]  # fmt: skip
    assert timestamps == []


def test_no_audit_event_or_log_line_carries_the_address(client: Any, caplog: Any) -> None:
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        post_feedback(client, worries="they beat me at night")  # flagged: opens a referral
        post_feedback(client, worries="<b>x</b>")  # refused
        for _ in range(throttle.per_client_per_hour() + 1):
            last = post_feedback(client)
    assert last.status_code == 429
    assert Feedback.objects.filter(referral__isnull=False).count() == 1
    assert not AuditEvent.objects.filter(ip=IP).exists()
    assert AuditEvent.objects.count() == before  # the anonymous form writes no audit event
    assert all(IP not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("worries", "ក" * (TEXT_LIMIT + 1), "shorter"),
        ("change", "<script>alert(1)</script>", "plain words"),
        ("worries", "hello <img src=x onerror=alert(1)>", "plain words"),
        ("change", "click javascript:alert(1)", "plain words"),
        ("worries", "hidden\x00character", "hidden characters"),
        ("worries", "abc\u202edcba", "hidden characters"),
    ],
)
def test_bad_input_is_refused_with_a_field_error(
    client: Any, field: str, value: str, expected: str
) -> None:
    response = post_feedback(client, lang="en", **{field: value})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert response.context["form"].errors[field]
    assert not Feedback.objects.exists()


def test_both_boxes_empty_is_refused(client: Any) -> None:
    response = post_feedback(client, lang="en", worries="  ", change="")
    assert response.status_code == 400
    assert "at least one of the boxes" in response.content.decode()
    assert not Feedback.objects.exists()


def test_errors_are_in_khmer_page_by_default(client: Any) -> None:
    response = post_feedback(client, worries="<b>x</b>")
    assert response.status_code == 400
    assert '<html lang="km">' in response.content.decode()
    assert not Feedback.objects.exists()


def test_plain_text_with_angle_brackets_that_are_not_tags_is_fine(client: Any) -> None:
    assert post_feedback(client, lang="en", worries="I am < 15 and scared :( <3").status_code == 302


def test_an_unknown_age_band_is_refused(client: Any) -> None:
    response = post_feedback(client, lang="en", age_band="99")
    assert response.status_code == 400 and response.context["form"].errors["age_band"]
    assert not Feedback.objects.exists()


def test_honeypot_pretends_success_and_stores_nothing(client: Any) -> None:
    response = post_feedback(client, website="http://spam.example")
    assert response.status_code == 302
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: throttle.make_token(time.time()), "very quick"),  # faster than ~3 s
        (lambda: throttle.make_token(time.time() - 25 * 3600), "open for a long time"),
        (lambda: "forged-token", "Something went wrong"),
        (lambda: "", "Something went wrong"),
    ],
)
def test_the_form_token_refuses_too_fast_too_old_and_forged(
    client: Any, token: Any, message: str
) -> None:
    response = post_feedback(client, lang="en", token=token())
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "ខ្ញុំបារម្ភពីការរស់នៅក្នុងមណ្ឌល" in html  # the child's words are kept
    assert not Feedback.objects.exists()
    # A fresh token came back with the page; after a few seconds the same words go through.
    fresh = response.context["form"].data["token"]
    assert throttle.token_problem(fresh) == "too_fast"


def test_one_client_is_throttled_and_others_are_not(client: Any, settings: Any) -> None:
    settings.KOMAR_VOICES_PER_CLIENT_HOUR = 3
    for _ in range(3):
        assert post_feedback(client).status_code == 302
    throttled = post_feedback(client)
    assert throttled.status_code == 429
    assert '<html lang="km">' in throttled.content.decode()
    assert Feedback.objects.count() == 3
    assert post_feedback(client, ip="198.51.100.9").status_code == 302
    assert Feedback.objects.count() == 4


def test_the_global_ceiling_throttles_everyone(client: Any, settings: Any) -> None:
    settings.KOMAR_VOICES_GLOBAL_PER_MINUTE = 2
    assert post_feedback(client, ip="198.51.100.1").status_code == 302
    assert post_feedback(client, ip="198.51.100.2").status_code == 302
    assert post_feedback(client, ip="198.51.100.3").status_code == 429
    assert Feedback.objects.count() == 2


def test_the_rate_key_is_an_hmac_with_a_daily_secret_kept_only_in_the_cache(
    client: Any, monkeypatch: Any
) -> None:
    key_today = throttle.client_key(IP)
    assert IP not in key_today and len(key_today) == 64
    assert throttle.client_key(IP) == key_today  # stable within the day
    assert throttle.client_key("198.51.100.1") != key_today
    secret_key = f"{throttle.PREFIX}:secret:{dt.date.today().isoformat()}"
    assert cache.get(secret_key)  # lives in the cache...
    cache.delete(secret_key)  # ...and when it is gone (expired, next day), keys change
    assert throttle.client_key(IP) != key_today
    post_feedback(client)
    # Nothing about the client reached the database.
    f = Feedback.objects.get()
    assert IP not in str(Feedback.objects.filter(pk=f.pk).values().get())


def test_the_secret_rotates_daily(monkeypatch: Any) -> None:
    today = throttle.client_key(IP)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)
    assert throttle.client_key(IP) != today


def test_get_requests_are_not_counted(client: Any, settings: Any) -> None:
    settings.KOMAR_VOICES_PER_CLIENT_HOUR = 1
    for _ in range(5):
        assert client.get("/voices/", REMOTE_ADDR=IP).status_code == 200
    assert post_feedback(client).status_code == 302


def test_good_token_helper_is_accepted() -> None:
    assert throttle.token_problem(good_token()) is None
