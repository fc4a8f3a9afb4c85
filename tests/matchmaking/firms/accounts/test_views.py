"""Firm accounts: sign-up with confirmation, log-in by email, log-out, password reset,
invitations; none of them tells a visitor whether an address has an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

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
