"""The demo world's past: a year of introductions from demo firms to Kumamoto and Hokkaido
organizations, their meetings and outcomes, the suggestions the firms saw, and the lying
dragons Aiko and Ben verified. Loaded by `matchmaking.demo.load_all`."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from matchmaking.firms.introductions import meetings
from matchmaking.firms.introductions.models import Meeting, MeetingSlot, Outcome, Side
from matchmaking.firms.introductions.services import introduction_request, introduction_transition
from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    SuggestionShown,
)
from matchmaking.firms.times import JAPAN
from profiles.loaders import Tally
from profiles.models import Organization, PartnershipType
from profiles.roles import FIRM_MEMBERS


@contextmanager
def _unannounced() -> Iterator[None]:
    """This all happened before the demo began: its mails go nowhere, its tasks log nothing."""
    quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    log = logging.getLogger("django.tasks")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        with override_settings(MAILERS=quiet):
            yield
    finally:
        log.setLevel(level)


@dataclass(frozen=True)
class DemoIntroduction:
    """One firm's request to one demo organization, taken through `steps` (who acts, the
    action of the introduction services), starting `days_ago` days ago."""

    firm: str
    organization: str  # external_id in fixtures/demo/organizations.json
    days_ago: int
    steps: tuple[tuple[str, str], ...]
    partnership_type: str
    proposal: str
    # "proposed": times proposed, the curator to pick; an Outcome.Kind: a meeting held.
    meeting: str = ""


CURATOR, FIRM = "curator", "firm"
REVIEW = ((CURATOR, "review"),)
ACCEPT = ((CURATOR, "review"), (CURATOR, "forward"), (CURATOR, "interested"))
STEP_MESSAGES = {
    "request_info": "Which fabs do you supply today, and could you meet in Kumamoto in person?",
    "decline": "The organization is committed to domestic customers for this year.",
    "forward": "A strong fit: they asked for exactly this kind of partner.",
    "answer": "We supply two fabs in Hsinchu and can visit Kumamoto any week.",
}
DEMO_INTRODUCTIONS = [
    # Kumamoto: Aiko's queue and reports.
    DemoIntroduction(
        "hsinchu-orbit-equipment",
        "demo-0043",
        250,
        ACCEPT,
        "supply_chain",
        "Local re-coating of etch chamber shields for our tools in Kumamoto fabs.",
        meeting=Outcome.Kind.NDA,
    ),
    DemoIntroduction(
        "pacific-prime-meats-hk",
        "demo-0294",
        200,
        ACCEPT,
        "sales_distribution",
        "Regular air shipments of grass-fed akaushi beef to Hong Kong restaurants.",
        meeting=Outcome.Kind.PILOT,
    ),
    DemoIntroduction(
        "hsinchu-advanced-packaging",
        "demo-0245",
        170,
        ((CURATOR, "review"), (CURATOR, "decline")),
        "joint_rnd",
        "Joint development of edge devices that monitor our packaging lines.",
    ),
    DemoIntroduction(
        "hsinchu-orbit-equipment",
        "demo-0098",
        130,
        ((FIRM, "withdraw"),),
        "joint_rnd",
        "Joint research on SiC wafer handling with your power electronics laboratory.",
    ),
    DemoIntroduction(
        "hanbit-plasma-systems",
        "demo-0361",
        60,
        ACCEPT,
        "supply_chain",
        "A local repair partner for the wafer-transfer robots in our plasma tools.",
        meeting="proposed",
    ),
    DemoIntroduction(
        "hsinchu-orbit-equipment",
        "demo-0108",
        20,
        ((CURATOR, "forward"),),
        "supply_chain",
        "Introductions to Kumamoto suppliers of vacuum parts for our service centre.",
    ),
    DemoIntroduction(
        "hsinchu-advanced-packaging",
        "demo-0362",
        12,
        ((CURATOR, "request_info"), (FIRM, "answer"), (CURATOR, "request_info")),
        "supply_chain",
        "Ultrapure water operations for a packaging plant we plan in Koshi.",
    ),
    DemoIntroduction(
        "hanbit-plasma-systems",
        "demo-0043",
        6,
        REVIEW,
        "licensing",
        "Licensing our yttria coating process for chamber parts to a Kumamoto partner.",
    ),
    DemoIntroduction(
        "hsinchu-orbit-equipment",
        "demo-0361",
        2,
        (),
        "supply_chain",
        "Overnight repair of end effectors for our tools at the Kikuyo fab.",
    ),
    # Hokkaido: Ben's queue and reports.
    DemoIntroduction(
        "siam-harvest-agritech",
        "demo-0056",
        230,
        ACCEPT,
        "joint_rnd",
        "Adapting your barn-cleaning robots to dairy farms in Thailand.",
        meeting=Outcome.Kind.FOLLOW_UP,
    ),
    DemoIntroduction(
        "clydeside-orbital",
        "demo-0262",
        160,
        ((CURATOR, "review"), (CURATOR, "decline")),
        "joint_rnd",
        "Testing our small launcher's upper stage with your propulsion team.",
    ),
    DemoIntroduction(
        "garonne-spatiale",
        "demo-0077",
        100,
        ((CURATOR, "review"), (FIRM, "withdraw")),
        "supply_chain",
        "Machined parts for satellite structures, in lots of ten.",
    ),
    DemoIntroduction(
        "vesterhav-wind-service",
        "demo-0046",
        15,
        ((CURATOR, "forward"),),
        "supply_chain",
        "Seamless rolled rings for the slewing bearings of turbines we service.",
    ),
    DemoIntroduction(
        "vesterhav-wind-service",
        "demo-0177",
        4,
        REVIEW,
        "joint_rnd",
        "Joint blade repair crews for wind farms in Hokkaido and Denmark.",
    ),
    DemoIntroduction(
        "siam-harvest-agritech",
        "demo-0307",
        1,
        (),
        "sales_distribution",
        "Distribution of your autonomous farm machines in Thailand.",
    ),
]
OUTCOME_NOTES: dict[str, str] = {
    Outcome.Kind.NDA: "NDA signed; they send coated sample shields next month.",
    Outcome.Kind.PILOT: "A trial order of 200 kg for three restaurants.",
    Outcome.Kind.FOLLOW_UP: "A second meeting on a farm in Hokkaido in the spring.",
}
CURATOR_OF = {"43": "aiko@pref-kumamoto.example", "01": "ben@pref-hokkaido.example"}


def _firm_member(firm: ForeignFirm) -> User:
    """The firm's demo member; firms without a login get one that cannot log in."""
    member = FirmMember.objects.filter(firm=firm).select_related("user").first()
    if member is not None:
        return member.user
    username = f"team@{firm.slug}.example"
    user = get_user_model()._default_manager.create_user(username=username, email=username)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
    FirmMember.objects.create(user=user, firm=firm, role=FirmMember.Role.OWNER)
    return user


def _in_japan(day: dt.datetime, hour: int) -> dt.datetime:
    return day.astimezone(JAPAN).replace(hour=hour, minute=0, second=0, microsecond=0)


def _introduce(spec: DemoIntroduction, now: dt.datetime) -> IntroductionRequest:
    """Take one request through the real services, then move its history back in time."""
    firm = ForeignFirm.objects.get(slug=spec.firm)
    organization = Organization.objects.get(source="demo", external_id=spec.organization)
    member = _firm_member(firm)
    curator = get_user_model()._default_manager.get(
        username=CURATOR_OF[organization.prefecture.code]
    )
    start = _in_japan(now - dt.timedelta(days=spec.days_ago), 10)
    introduction = introduction_request(
        firm=firm,
        organization=organization,
        user=member,
        submission_key=uuid.uuid4(),
        site_url="",
        partnership_type=PartnershipType.objects.get(code=spec.partnership_type),
        proposal=spec.proposal,
        preferred_language="en",
        contact_name=member.first_name or firm.name,
        contact_email=member.email,
    )
    # Steps a day or two apart, the last one still in the past.
    gap = dt.timedelta(days=min(2, spec.days_ago / (len(spec.steps) + 4)))
    times = [start + gap * number for number in range(len(spec.steps) + 1)]
    for side, action in spec.steps:
        introduction_transition(
            introduction=introduction,
            action=action,
            actor=member if side == FIRM else curator,
            by_firm=side == FIRM,
            site_url="",
            message=STEP_MESSAGES.get(action, ""),
        )
    if spec.meeting:
        times += _meet(spec, introduction, member, curator, accepted=times[-1], now=now)
    events = list(introduction.events.order_by("pk").values_list("pk", flat=True))
    for pk, at in zip(events, times, strict=True):
        IntroductionEvent.objects.filter(pk=pk).update(at=at)
    last_state = introduction.events.filter(kind=IntroductionEvent.Kind.STATE).order_by("-pk")
    IntroductionRequest.objects.filter(pk=introduction.pk).update(
        created_at=start, state_changed_at=last_state.values("at")[:1]
    )
    return introduction


def _meet(
    spec: DemoIntroduction,
    introduction: IntroductionRequest,
    member: User,
    curator: User,
    *,
    accepted: dt.datetime,
    now: dt.datetime,
) -> list[dt.datetime]:
    """The meeting steps: times proposed, then (for a held meeting) agreed, held a fortnight
    after the acceptance and its outcome recorded ten days later. Returns the events' times."""
    soon = _in_japan(now + dt.timedelta(days=5), 10)
    meeting = meetings.meeting_propose(
        introduction=introduction,
        side=Side.FIRM,
        actor=member,
        slots=[soon, soon + dt.timedelta(days=1), soon + dt.timedelta(days=3)],
        duration_minutes=60,
        online_url=f"https://meet.example.com/{spec.firm}",
        venue="",
        message="Any of these times suits us.",
        site_url="",
    )
    if spec.meeting == "proposed":
        return [max(accepted, now - dt.timedelta(days=1))]
    first = meeting.slots.order_by("starts_at").first()
    assert first is not None
    meetings.meeting_pick(
        meeting=meeting, slot_id=first.pk, side=Side.CURATOR, actor=curator, site_url=""
    )
    proposed = accepted + dt.timedelta(days=2)
    held = _in_japan(accepted + dt.timedelta(days=14), 14)
    slots = [held, held + dt.timedelta(days=1), held + dt.timedelta(days=3)]
    for slot, starts_at in zip(meeting.slots.order_by("starts_at"), slots, strict=True):
        MeetingSlot.objects.filter(pk=slot.pk).update(starts_at=starts_at)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=held, created_at=proposed)
    isoformat = [moment.isoformat() for moment in slots]
    meeting.events.filter(kind=IntroductionEvent.Kind.MEETING_PROPOSED).update(times=isoformat)
    meeting.events.filter(kind=IntroductionEvent.Kind.MEETING_CONFIRMED).update(
        times=isoformat[:1]
    )
    recorded = held + dt.timedelta(days=10)
    outcome = meetings.outcome_record(
        meeting=meeting,
        side=Side.FIRM,
        actor=member,
        kind=spec.meeting,
        date=recorded.date(),
        note=OUTCOME_NOTES[spec.meeting],
    )
    Outcome.objects.filter(pk=outcome.pk).update(recorded_at=recorded)
    return [proposed, proposed + dt.timedelta(days=1), recorded]


def load_activity() -> Tally:
    """Introductions from demo firms (never Acme Robotics) to Kumamoto and Hokkaido
    organizations in every state, over the past months, two meetings held with an outcome
    each, one meeting waiting for the curator's pick, and the suggestions the firms saw.
    Written through the introduction services, so every step is in the history."""
    tally = Tally()
    firms = {spec.firm for spec in DEMO_INTRODUCTIONS}
    if IntroductionRequest.objects.filter(firm__slug__in=firms).exists():
        tally.unchanged += len(DEMO_INTRODUCTIONS)
        return tally
    now = timezone.now()
    with _unannounced(), transaction.atomic():
        introductions = [_introduce(spec, now) for spec in DEMO_INTRODUCTIONS]
        shown = []
        for introduction in IntroductionRequest.objects.filter(
            pk__in=[i.pk for i in introductions]
        ).select_related("organization"):
            week = introduction.created_at.date()
            week -= dt.timedelta(days=week.weekday())
            # The firm saw the organization it asked for, and its neighbours in the directory.
            neighbours = Organization.objects.published().filter(
                source="demo", prefecture_id=introduction.organization.prefecture_id
            )
            for organization_id in [
                introduction.organization_id,
                *neighbours.order_by("external_id").values_list("pk", flat=True)[:4],
            ]:
                shown.append(
                    SuggestionShown(
                        firm_id=introduction.firm_id, organization_id=organization_id, week=week
                    )
                )
        SuggestionShown.objects.bulk_create(shown, ignore_conflicts=True)
        tally.created += len(introductions)
    return tally


def load_verifications() -> Tally:
    """The lying dragons of Aiko's and Ben's prefectures, verified by them last month."""
    tally = Tally()
    verified_at = timezone.now() - dt.timedelta(days=30)
    for prefecture, username in CURATOR_OF.items():
        curator = get_user_model()._default_manager.get(username=username)
        dragons = Organization.objects.filter(
            source="demo", prefecture__code=prefecture, lying_dragon=True
        )
        unverified = dragons.filter(verified_at__isnull=True)
        tally.unchanged += dragons.count() - unverified.count()
        tally.created += unverified.update(verified_by=curator, verified_at=verified_at)
    return tally
