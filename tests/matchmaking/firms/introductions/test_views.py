"""Introductions: Maria (Acme Robotics) asks for Higo Robotics in Kumamoto; Aiko, who
curates Kumamoto, brokers it; Ben, who curates Hokkaido, never sees it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matchmaking.firms.introductions import services
from matchmaking.firms.models import IntroductionEvent, IntroductionRequest, IntroductionState
from matchmaking.language import LanguagePreference
from profiles.models import Organization, PartnershipType
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def higo(db: None) -> Organization:
    return make_organization(
        "43",
        name_en="Higo Robotics",
        name_ja="肥後ロボティクス",
        contact_email="contact@higo-robotics.example",
    )


def form(**changes: Any) -> dict[str, Any]:
    values = {
        "partnership_type": PartnershipType.objects.get(code="joint_rnd").pk,
        "proposal": "Joint development of welding robot controllers for the US market.",
        "questions": "Do you export already?",
        "preferred_language": "en",
        "contact_name": "Maria Lopez",
        "contact_email": "maria@acme-robotics.example",
        "submission_key": str(uuid.uuid4()),
    }
    return values | changes


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    """Run on-commit callbacks (the emails) when each request ends, as a real commit would.

    The test's own transaction never commits, so without this no email would go out.
    """
    original = Client.post

    def post(self: Client, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


def submit(client: Client, org: Organization, **changes: Any) -> Any:
    return client.post(reverse("introductions:new", args=[org.pk]), form(**changes))


def test_a_member_requests_an_introduction_and_both_sides_are_told(
    client: Client, maria: User, aiko: User, ben: User, higo: Organization, mailoutbox: Any
) -> None:
    client.force_login(maria)
    with_captured = submit(client, higo)
    request = IntroductionRequest.objects.get()
    assert with_captured["Location"] == reverse("introductions:detail", args=[request.pk])
    assert request.state == IntroductionState.SUBMITTED
    event = request.events.get()
    assert (event.from_state, event.to_state, event.actor) == ("", "submitted", maria)
    recipients = sorted(tuple(m.to) for m in mailoutbox)
    assert recipients == [("aiko@pref-kumamoto.example",), ("maria@acme-robotics.example",)]


def test_a_double_submitted_form_creates_one_request(
    client: Client, maria: User, higo: Organization
) -> None:
    client.force_login(maria)
    values = form()
    first = client.post(reverse("introductions:new", args=[higo.pk]), values)
    second = client.post(reverse("introductions:new", args=[higo.pk]), values)
    assert first["Location"] == second["Location"]
    assert IntroductionRequest.objects.count() == 1


def test_a_second_open_request_to_the_same_organization_is_refused(
    client: Client, maria: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    response = submit(client, higo)
    assert response.status_code == 200
    assert "already has an open introduction request" in str(response.context["form"].errors)
    assert IntroductionRequest.objects.count() == 1


def test_the_open_and_daily_limits_hold(client: Client, maria: User, settings: Any) -> None:
    settings.INTRODUCTION_OPEN_LIMIT = 2
    settings.INTRODUCTION_DAILY_LIMIT = 3
    orgs = [
        make_organization("43", name_en=f"Org {n}", contact_email="x@y.example") for n in range(4)
    ]
    client.force_login(maria)
    submit(client, orgs[0])
    submit(client, orgs[1])
    refused = submit(client, orgs[2])
    assert "open requests, the most allowed" in str(refused.context["form"].errors)
    first = IntroductionRequest.objects.get(organization=orgs[0])
    client.post(reverse("introductions:act", args=[first.pk, "withdraw"]))
    submit(client, orgs[2])
    client.post(
        reverse(
            "introductions:act",
            args=[IntroductionRequest.objects.get(organization=orgs[2]).pk, "withdraw"],
        )
    )
    daily = submit(client, orgs[3])
    assert "in the last 24 hours" in str(daily.context["form"].errors)
    assert IntroductionRequest.objects.count() == 3


def test_the_curator_forwards_a_bilingual_introduction_and_records_the_answer(
    client: Client, maria: User, aiko: User, higo: Organization, mailoutbox: Any
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    mailoutbox.clear()
    client.force_login(aiko)
    assert client.get(reverse("workspace:introductions")).context["requests"][0] == request
    client.post(reverse("workspace:introduction_act", args=[request.pk, "review"]))
    client.post(
        reverse("workspace:introduction_act", args=[request.pk, "forward"]),
        {"message": "A strong fit for your welding line."},
    )
    request.refresh_from_db()
    assert request.state == IntroductionState.FORWARDED
    to_org = next(m for m in mailoutbox if m.to == ["contact@higo-robotics.example"])
    assert "Acme Robotics Inc." in to_org.body
    assert "Dear Higo Robotics" in to_org.body and "肥後ロボティクス" in to_org.body
    assert "ご紹介" in to_org.subject
    assert to_org.reply_to == ["aiko@pref-kumamoto.example"]
    client.post(reverse("workspace:introduction_act", args=[request.pk, "interested"]))
    request.refresh_from_db()
    assert (request.state, request.answer) == (IntroductionState.ACCEPTED, "interested")
    history = list(request.events.values_list("from_state", "to_state", "actor__username"))
    assert history == [
        ("", "submitted", "maria@acme-robotics.example"),
        ("submitted", "under_review", "aiko@pref-kumamoto.example"),
        ("under_review", "forwarded", "aiko@pref-kumamoto.example"),
        ("forwarded", "accepted", "aiko@pref-kumamoto.example"),
    ]
    # The firm sees the new state in the app.
    client.force_login(maria)
    page = client.get(reverse("introductions:detail", args=[request.pk])).content.decode()
    assert "Accepted" in page


def test_more_information_goes_back_to_submitted_when_answered(
    client: Client, maria: User, aiko: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    client.force_login(aiko)
    # Asking needs a question.
    client.post(reverse("workspace:introduction_act", args=[request.pk, "request_info"]))
    request.refresh_from_db()
    assert request.state == IntroductionState.SUBMITTED
    client.post(
        reverse("workspace:introduction_act", args=[request.pk, "request_info"]),
        {"message": "Which plant would you work with?"},
    )
    client.force_login(maria)
    client.post(
        reverse("introductions:act", args=[request.pk, "answer"]), {"message": "Our Ohio plant."}
    )
    request.refresh_from_db()
    assert request.state == IntroductionState.SUBMITTED
    assert request.events.last().message == "Our Ohio plant."  # type: ignore[union-attr]


def test_the_firm_may_withdraw_before_an_answer_but_not_after(
    client: Client, maria: User, aiko: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    client.force_login(aiko)
    client.post(
        reverse("workspace:introduction_act", args=[request.pk, "decline"]),
        {"message": "Not taking partners."},
    )
    client.force_login(maria)
    client.post(reverse("introductions:act", args=[request.pk, "withdraw"]))
    request.refresh_from_db()
    assert request.state == IntroductionState.DECLINED
    assert IntroductionEvent.objects.filter(to_state="withdrawn").count() == 0


def test_a_firm_cannot_use_curator_actions(
    client: Client, maria: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    assert (
        client.post(
            reverse("workspace:introduction_act", args=[request.pk, "forward"])
        ).status_code
        == 403
    )
    client.post(reverse("introductions:act", args=[request.pk, "forward"]))
    request.refresh_from_db()
    assert request.state == IntroductionState.SUBMITTED


def test_each_side_sees_only_its_own_requests(
    client: Client, maria: User, aiko: User, ben: User, root: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    detail = reverse("workspace:introduction", args=[request.pk])
    client.force_login(ben)
    assert list(client.get(reverse("workspace:introductions")).context["requests"]) == []
    assert client.get(detail).status_code == 404
    assert (
        client.post(
            reverse("workspace:introduction_act", args=[request.pk, "forward"])
        ).status_code
        == 404
    )
    client.force_login(root)
    assert client.get(detail).status_code == 200
    client.force_login(aiko)
    assert client.get(detail).status_code == 200
    # Another firm's member sees nothing of it.
    other = User.objects.create_user("kai@balticwind.example", "kai@balticwind.example", "x")
    from matchmaking.firms.models import FirmMember, ForeignFirm

    FirmMember.objects.create(
        user=other, firm=ForeignFirm.objects.create(name="Baltic", slug="baltic", country="SE")
    )
    client.force_login(other)
    assert client.get(reverse("introductions:detail", args=[request.pk])).status_code == 404
    assert list(client.get(reverse("introductions:index")).context["requests"]) == []


@pytest.mark.parametrize(
    "name,args",
    [
        ("introductions:index", []),
        ("introductions:new", [1]),
        ("introductions:detail", [1]),
        ("workspace:introductions", []),
        ("workspace:introduction", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str, args: list[int]) -> None:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_curators_have_no_firm_pages_and_firms_no_queue(
    client: Client, maria: User, aiko: User
) -> None:
    client.force_login(aiko)
    assert client.get(reverse("introductions:index")).status_code == 403
    client.force_login(maria)
    assert client.get(reverse("workspace:introductions")).status_code == 403


def test_requests_unanswered_too_long_are_flagged_to_curators_and_admins(
    client: Client,
    maria: User,
    aiko: User,
    ben: User,
    root: User,
    higo: Organization,
    mailoutbox: Any,
    settings: Any,
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    mailoutbox.clear()
    call_command("flag_stale_introductions")
    assert mailoutbox == []
    IntroductionRequest.objects.update(
        state_changed_at=timezone.now() - timedelta(days=settings.INTRODUCTION_STALE_DAYS + 1)
    )
    call_command("flag_stale_introductions")
    assert sorted(m.to[0] for m in mailoutbox) == [
        "aiko@pref-kumamoto.example",
        "root@ryumon.example",
    ]
    client.force_login(aiko)
    assert request.pk in client.get(reverse("workspace:introductions")).context["stale_ids"]


def test_forwarding_needs_the_organization_contact_email(maria: User, aiko: User) -> None:
    org = make_organization("43", name_en="No Contact Co")
    firm = maria.firm_membership.firm
    request = services.introduction_request(
        firm=firm,
        organization=org,
        user=maria,
        submission_key=uuid.uuid4(),
        site_url="http://testserver",
        partnership_type=PartnershipType.objects.first(),
        proposal="p",
        preferred_language="en",
        contact_name="M",
        contact_email="m@x.example",
    )
    with pytest.raises(services.IntroductionRefused):
        services.introduction_transition(
            introduction=request, action="forward", actor=aiko, by_firm=False, site_url=""
        )
    request.refresh_from_db()
    assert request.state == IntroductionState.SUBMITTED


def test_the_workspace_dashboard_lists_the_requests_waiting_for_the_curator(
    client: Client, maria: User, aiko: User, ben: User, higo: Organization
) -> None:
    client.force_login(maria)
    submit(client, higo)
    request = IntroductionRequest.objects.get()
    client.force_login(aiko)
    page = client.get(reverse("workspace:dashboard")).content.decode()
    assert reverse("workspace:introduction", args=[request.pk]) in page
    client.force_login(ben)
    page = client.get(reverse("workspace:dashboard")).content.decode()
    assert reverse("workspace:introduction", args=[request.pk]) not in page


def test_each_side_is_told_in_the_language_of_its_account(
    client: Client, maria: User, aiko: User, higo: Organization, mailoutbox: Any
) -> None:
    """Maria reads Traditional Chinese; Aiko, whose page is in Japanese, moves the request on;
    the firm side (Maria and the contact person she named) is told in Chinese, Aiko in
    Japanese."""
    LanguagePreference.objects.create(user=maria, language="zh-hant")
    LanguagePreference.objects.create(user=aiko, language="ja")
    client.force_login(maria)
    submit(client, higo, contact_email="sales@acme-robotics.example")
    request = IntroductionRequest.objects.get()
    mailoutbox.clear()
    client.force_login(aiko)
    client.cookies["django_language"] = "ja"
    client.post(reverse("workspace:introduction_act", args=[request.pk, "review"]))
    by_recipients = {tuple(m.to): m for m in mailoutbox}
    firm_mail = by_recipients[("maria@acme-robotics.example", "sales@acme-robotics.example")]
    assert firm_mail.subject == "引薦 Acme Robotics Inc. → Higo Robotics：審核中"
    assert "您向Higo Robotics提出的引薦申請當前狀態：審核中。" in firm_mail.body
    curator_mail = by_recipients[("aiko@pref-kumamoto.example",)]
    assert "紹介依頼" in curator_mail.subject and "確認中" in curator_mail.subject


def test_stale_requests_are_flagged_in_each_curators_language(
    client: Client, maria: User, aiko: User, root: User, higo: Organization, mailoutbox: Any
) -> None:
    LanguagePreference.objects.create(user=aiko, language="zh-hans")
    client.force_login(maria)
    submit(client, higo)
    mailoutbox.clear()
    IntroductionRequest.objects.update(state_changed_at=timezone.now() - timedelta(days=365))
    call_command("flag_stale_introductions")
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["aiko@pref-kumamoto.example"] == "1 项引荐申请尚未答复"
    assert subjects["root@ryumon.example"] == "1 introduction request unanswered"
