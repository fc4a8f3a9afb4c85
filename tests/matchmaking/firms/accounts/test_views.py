"""Firm accounts: sign-up with confirmation, log-in by email, log-out, password reset,
invitations; none of them tells a visitor whether an address has an account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.tasks.signals import task_enqueued
from django.test import Client
from django.urls import reverse

from matchmaking.firms.accounts import services
from matchmaking.firms.models import FirmMember, ForeignFirm, PendingSignUp
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {
    "email": "Lena@Nordwind.example",
    "password": PASSWORD,
    "firm_name": "Nordwind Energie GmbH",
    "country": "de",
}


def link_in(body: str) -> str:
    match = re.search(r"https?://\S+", body)
    assert match, body
    return match.group(0).split("testserver", 1)[1]


def confirm(client: Client, link: str, password: str = PASSWORD) -> Any:
    """Open the confirmation link and give the password chosen at sign-up."""
    assert client.get(link).status_code == 200
    return client.post(link, {"password": password})


def test_sign_up_creates_nothing_but_a_pending_sign_up_and_mails_a_confirmation_link(
    client: Client, mailoutbox: list[Any]
) -> None:
    response = client.post(reverse("accounts:sign_up"), NEW)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_up_done")
    # Unconfirmed, a sign-up grants nothing: no user, no firm, no membership.
    assert not User.objects.filter(username="lena@nordwind.example").exists()
    assert not ForeignFirm.objects.filter(name=NEW["firm_name"]).exists()
    pending = PendingSignUp.objects.get(email="lena@nordwind.example")
    assert (pending.firm_name, pending.country) == ("Nordwind Energie GmbH", "DE")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lena@nordwind.example"]
    assert not client.login(username="lena@nordwind.example", password=PASSWORD)


def test_the_confirmation_link_and_the_password_create_the_owner_and_log_in(
    client: Client, mailoutbox: list[Any]
) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    response = confirm(client, link_in(mailoutbox[0].body))
    assert response.status_code == 302
    assert response["Location"] == reverse("firm:profile")
    user = User.objects.get(username="lena@nordwind.example")
    assert user.is_active
    member = FirmMember.objects.get(user=user)
    assert member.role == FirmMember.Role.OWNER
    assert (member.firm.name, member.firm.country) == ("Nordwind Energie GmbH", "DE")
    assert not PendingSignUp.objects.exists()
    assert client.get(reverse("firm:profile")).status_code == 200


def test_opening_the_confirmation_link_alone_confirms_nothing(
    client: Client, mailoutbox: list[Any]
) -> None:
    """A link scanner, or the owner of an address someone else signed up with, only sees
    the form."""
    client.post(reverse("accounts:sign_up"), NEW)
    link = link_in(mailoutbox[0].body)
    assert client.get(link).status_code == 200
    response = client.post(link, {"password": "not the one chosen"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="lena@nordwind.example").exists()


def test_an_altered_confirmation_link_is_refused(client: Client, mailoutbox: list[Any]) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    link = link_in(mailoutbox[0].body).rstrip("/") + "x/"
    assert client.get(link).status_code == 400
    assert client.post(link, {"password": PASSWORD}).status_code == 400
    assert not User.objects.filter(username="lena@nordwind.example").exists()


def test_sign_up_answers_the_same_for_a_known_address(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    unknown = client.post(reverse("accounts:sign_up"), NEW)
    known = client.post(
        reverse("accounts:sign_up"), NEW | {"email": "MARIA@acme-robotics.example"}
    )
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The owner of the known address is told by email, and no second account or firm appears.
    assert mailoutbox[1].to == ["maria@acme-robotics.example"]
    assert "already has an account" in mailoutbox[1].body
    assert User.objects.filter(username__iexact="maria@acme-robotics.example").count() == 1
    assert list(PendingSignUp.objects.values_list("email", flat=True)) == ["lena@nordwind.example"]


def test_sign_up_rejects_a_weak_password(client: Client, mailoutbox: list[Any]) -> None:
    response = client.post(reverse("accounts:sign_up"), NEW | {"password": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not mailoutbox


def test_log_in_failure_reads_the_same_for_known_and_unknown_addresses(
    client: Client, maria: User
) -> None:
    def error(email: str) -> list[str]:
        response = client.post(reverse("login"), {"username": email, "password": "wrong pw"})
        assert response.status_code == 200
        return list(response.context["form"].non_field_errors())

    assert error("maria@acme-robotics.example") == error("nobody@nowhere.example")


def test_log_in_by_email_in_any_case_rotates_the_session(client: Client, maria: User) -> None:
    client.get(reverse("login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.session.session_key
    response = client.post(
        reverse("login"), {"username": "Maria@Acme-Robotics.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_log_out_is_a_post_and_ends_the_session_on_the_server(client: Client, maria: User) -> None:
    client.force_login(maria)
    key = client.session.session_key
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("firm:profile")).status_code == 302


def test_password_reset_answers_the_same_and_mails_only_a_known_address(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    known = client.post(reverse("password_reset"), {"email": "maria@acme-robotics.example"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mailoutbox] == [["maria@acme-robotics.example"]]
    page = client.get(link_in(mailoutbox[0].body), follow=True)
    new = "a brand new passphrase 42"
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.login(username="maria@acme-robotics.example", password=new)


def test_a_member_invites_a_colleague_who_joins_the_firm(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    client.force_login(maria)
    response = client.post(reverse("accounts:invite"), {"email": "tom@acme-robotics.example"})
    assert response.status_code == 302
    assert mailoutbox[0].to == ["tom@acme-robotics.example"]
    link = link_in(mailoutbox[0].body)
    client.post(reverse("logout"))
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    tom = User.objects.get(username="tom@acme-robotics.example")
    assert tom.is_active
    assert tom.firm_membership.firm == maria.firm_membership.firm
    assert tom.firm_membership.role == FirmMember.Role.MEMBER
    # The link cannot create a second account.
    assert client.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 409


def test_only_firm_members_may_invite(client: Client, aiko: User) -> None:
    assert client.get(reverse("accounts:invite")).status_code == 302
    client.force_login(aiko)
    assert client.get(reverse("accounts:invite")).status_code == 403


def test_signing_up_again_before_confirming_replaces_the_pending_sign_up(
    client: Client, mailoutbox: list[Any]
) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    client.post(reverse("accounts:sign_up"), NEW)
    assert len(mailoutbox) == 2
    assert "/accounts/confirm/" in mailoutbox[1].body
    assert PendingSignUp.objects.filter(email="lena@nordwind.example").count() == 1
    # Only the newest link works.
    assert client.get(link_in(mailoutbox[0].body)).status_code == 400
    confirm(client, link_in(mailoutbox[1].body))
    assert User.objects.get(username="lena@nordwind.example").is_active
    assert ForeignFirm.objects.filter(name=NEW["firm_name"]).count() == 1


# == Issue 16: what an outside probe found ==

EVIL_PASSWORD = "mallory owns this passphrase 7"


def test_a_sign_up_with_someone_elses_address_cannot_take_their_account(
    client: Client, mailoutbox: list[Any]
) -> None:
    """Mallory signs up with Lena's address; Lena signs up and confirms: the account is
    Lena's, with her password and her firm, and Mallory's password opens nothing."""
    mallory = Client(REMOTE_ADDR="198.51.100.7")
    mallory.post(
        reverse("accounts:sign_up"),
        NEW | {"password": EVIL_PASSWORD, "firm_name": "Mallory Holdings"},
    )
    assert not FirmMember.objects.exists()
    client.post(reverse("accounts:sign_up"), NEW)
    mallorys_link, lenas_link = (link_in(mail.body) for mail in mailoutbox)
    assert client.get(mallorys_link).status_code == 400  # replaced by Lena's sign-up
    assert confirm(client, lenas_link).status_code == 302
    lena = User.objects.get(username="lena@nordwind.example")
    assert lena.firm_membership.firm.name == "Nordwind Energie GmbH"
    assert not ForeignFirm.objects.filter(name="Mallory Holdings").exists()
    assert not Client().login(username="lena@nordwind.example", password=EVIL_PASSWORD)
    assert Client().login(username="lena@nordwind.example", password=PASSWORD)


def test_the_confirmation_link_is_used_up(client: Client, mailoutbox: list[Any]) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    link = link_in(mailoutbox[0].body)
    confirm(client, link)
    fresh_browser = Client()
    assert fresh_browser.get(link).status_code == 400
    assert fresh_browser.post(link, {"password": PASSWORD}).status_code == 400
    assert "_auth_user_id" not in fresh_browser.session


def test_the_confirmation_link_neither_logs_in_after_a_password_reset_nor_reactivates(
    client: Client, mailoutbox: list[Any]
) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    link = link_in(mailoutbox[0].body)
    confirm(client, link)
    lena = User.objects.get(username="lena@nordwind.example")
    lena.set_password("a brand new passphrase 42")
    lena.save()
    assert Client().get(link).status_code == 400
    # An admin deactivates the account: no link brings it back.
    lena.is_active = False
    lena.save()
    browser = Client()
    assert browser.get(link).status_code == 400
    assert browser.post(link, {"password": PASSWORD}).status_code == 400
    lena.refresh_from_db()
    assert not lena.is_active
    assert "_auth_user_id" not in browser.session


def test_signing_up_again_with_a_deactivated_address_does_not_reactivate_it(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    maria.is_active = False
    maria.save()
    client.post(reverse("accounts:sign_up"), NEW | {"email": maria.email})
    assert "already has an account" in mailoutbox[0].body
    assert "/accounts/confirm/" not in mailoutbox[0].body
    maria.refresh_from_db()
    assert not maria.is_active


def invitation_link(client: Client, maria: User, mailoutbox: list[Any]) -> str:
    client.force_login(maria)
    client.post(reverse("accounts:invite"), {"email": "tom@acme-robotics.example"})
    client.post(reverse("logout"))
    return link_in(mailoutbox[-1].body)


@pytest.mark.parametrize("change", ["password", "deactivation", "leaving the firm"])
def test_an_invitation_dies_when_the_inviter_changes(
    client: Client, maria: User, mailoutbox: list[Any], change: str
) -> None:
    link = invitation_link(client, maria, mailoutbox)
    if change == "password":
        maria.set_password("a brand new passphrase 42")
        maria.save()
    elif change == "deactivation":
        maria.is_active = False
        maria.save()
    else:
        FirmMember.objects.filter(user=maria).delete()
    assert client.get(link).status_code == 400
    assert client.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 400
    assert not User.objects.filter(username="tom@acme-robotics.example").exists()


def test_an_accepted_invitation_cannot_reactivate_or_log_in(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    link = invitation_link(client, maria, mailoutbox)
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    tom = User.objects.get(username="tom@acme-robotics.example")
    tom.is_active = False
    tom.save()
    browser = Client()
    other = "another passphrase for tom 9"
    assert browser.post(link, {"password1": other, "password2": other}).status_code == 409
    tom.refresh_from_db()
    assert not tom.is_active
    assert tom.check_password(PASSWORD)
    assert "_auth_user_id" not in browser.session


@pytest.fixture
def enqueued() -> Iterator[list[str]]:
    """The paths of the tasks enqueued during the test, in order."""
    paths: list[str] = []

    def record(sender: object, task_result: Any, **kwargs: Any) -> None:
        paths.append(task_result.task.module_path)

    task_enqueued.connect(record)
    yield paths
    task_enqueued.disconnect(record)


def test_sign_up_enqueues_the_same_mail_task_for_known_and_unknown_addresses(
    client: Client, maria: User, enqueued: list[str]
) -> None:
    client.post(reverse("accounts:sign_up"), NEW)
    unknown = list(enqueued)
    enqueued.clear()
    client.post(reverse("accounts:sign_up"), NEW | {"email": maria.email})
    assert enqueued == unknown == ["matchmaking.firms.accounts.tasks.send_account_mail"]


def test_sign_up_hashes_a_password_for_known_and_unknown_addresses(
    client: Client, maria: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    real = make_password

    def counting(password: str, *args: Any, **kwargs: Any) -> str:
        hashed.append(password)
        return real(password, *args, **kwargs)

    monkeypatch.setattr(services, "make_password", counting)
    client.post(reverse("accounts:sign_up"), NEW)
    client.post(reverse("accounts:sign_up"), NEW | {"email": maria.email})
    assert hashed == [PASSWORD, PASSWORD]


def test_password_reset_enqueues_the_same_task_for_known_and_unknown_addresses(
    client: Client, maria: User, enqueued: list[str], mailoutbox: list[Any]
) -> None:
    client.post(reverse("password_reset"), {"email": maria.email})
    known = list(enqueued)
    enqueued.clear()
    client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert enqueued == known == ["matchmaking.firms.accounts.tasks.send_password_reset"]
    assert [m.to for m in mailoutbox] == [[maria.email]]


def test_invitations_stop_at_the_firms_daily_limit(
    client: Client, maria: User, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ACCOUNT_MAIL_LIMIT_PER_FIRM = 3
    settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT = 100
    client.force_login(maria)
    for n in range(3):
        response = client.post(reverse("accounts:invite"), {"email": f"c{n}@firm.example"})
        assert response.status_code == 302
    # Another member of the same firm, from elsewhere, shares the firm's limit.
    colleague = User.objects.create_user("kim@acme-robotics.example", password=PASSWORD)
    FirmMember.objects.create(user=colleague, firm=maria.firm_membership.firm)
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    elsewhere.force_login(colleague)
    response = elsewhere.post(reverse("accounts:invite"), {"email": "c9@firm.example"})
    assert response.status_code == 429
    assert "Nothing was sent" in response.content.decode()
    assert len(mailoutbox) == 3


def test_mails_to_one_address_stop_at_the_daily_limit_whether_or_not_it_is_registered(
    maria: User, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ACCOUNT_MAIL_LIMIT_PER_RECIPIENT = 2
    answers = {}
    for email in (maria.email, "nobody@nowhere.example"):
        for n in range(2):
            response = Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
                reverse("password_reset"), {"email": email}
            )
            assert response.status_code == 302
        response = Client(REMOTE_ADDR="198.51.100.9").post(
            reverse("password_reset"), {"email": email}
        )
        answers[email] = (response.status_code, response.context["form"].non_field_errors())
    assert answers[maria.email] == answers["nobody@nowhere.example"]
    assert answers[maria.email][0] == 429
    assert len(mailoutbox) == 2  # the two resets to Maria; the third was not sent


def test_sign_ups_from_one_client_stop_at_the_daily_limit(
    client: Client, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT = 3
    for n in range(3):
        response = client.post(reverse("accounts:sign_up"), NEW | {"email": f"v{n}@x.example"})
        assert response.status_code == 302
    response = client.post(reverse("accounts:sign_up"), NEW | {"email": "v9@x.example"})
    assert response.status_code == 429
    assert "Nothing was sent" in response.content.decode()
    assert len(mailoutbox) == 3
    assert not PendingSignUp.objects.filter(email="v9@x.example").exists()


PHISHING = "Your account is suspended - verify now at http://evil.example/login"


def links_in(body: str) -> list[str]:
    return re.findall(r"(?i)\b(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.example\b", body)


def test_a_firm_name_in_the_confirmation_mail_never_becomes_a_link(
    client: Client, mailoutbox: list[Any]
) -> None:
    client.post(reverse("accounts:sign_up"), NEW | {"firm_name": PHISHING})
    body = mailoutbox[0].body
    assert "evil[.]example/login" in body
    assert [link for link in links_in(body) if "testserver" not in link] == []


def test_user_typed_text_in_an_invitation_never_becomes_a_link_and_is_capped(
    client: Client, maria: User, mailoutbox: list[Any]
) -> None:
    ForeignFirm.objects.filter(members__user=maria).update(name=PHISHING + " " + "x" * 150)
    client.force_login(maria)
    client.post(reverse("accounts:invite"), {"email": "tom@acme-robotics.example"})
    mail = mailoutbox[0]
    assert [link for link in links_in(mail.body) if "testserver" not in link] == []
    assert [link for link in links_in(mail.subject)] == []
    assert "x" * 100 not in mail.body
    assert len(mail.subject) < 80
