"""Events' writes: registration, the proposed schedule, the curator's edits, publishing.

The views check who may act (a curator on their prefecture's events, a firm on its own
registration); these functions check what may happen, and raise EventRefused with words
for the person when it may not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.events import scheduling
from matchmaking.events.models import Event, EventMeeting, Registration
from matchmaking.firms.models import ForeignFirm
from matchmaking.search.selectors import filters_from, pair_scores
from profiles.models import Organization

State = Event.State


class EventRefused(Exception):
    """The action breaks a rule of the event; the message says which, for the person."""


def _require(event: Event, *states: str) -> None:
    if event.state not in states:
        raise EventRefused(
            _("Not possible while the event is “%(state)s”.")
            % {"state": event.get_state_display()}
        )


@transaction.atomic
def event_open_registration(*, event: Event) -> Event:
    _require(event, State.DRAFT, State.CLOSED)
    event.state = State.OPEN
    event.save(update_fields=["state", "updated_at"])
    return event


@transaction.atomic
def event_close_registration(*, event: Event) -> Event:
    _require(event, State.OPEN)
    event.state = State.CLOSED
    event.save(update_fields=["state", "updated_at"])
    return event


def _clean_slots(event: Event, slots: Iterable[int]) -> list[int]:
    cleaned = sorted({int(s) for s in slots})
    if not cleaned:
        raise EventRefused(_("Choose at least one slot you can attend."))
    if cleaned[0] < 0 or cleaned[-1] >= event.slot_count:
        raise EventRefused(_("That slot is not part of this event."))
    return cleaned


def _set_requests(
    registration: Registration,
    must_meet: Sequence[Registration],
    not_interested: Sequence[Registration],
) -> None:
    for other in (*must_meet, *not_interested):
        if other.event_id != registration.event_id or other.is_firm == registration.is_firm:
            raise EventRefused(_("Requests name participants of the other side of this event."))
    if {r.pk for r in must_meet} & {r.pk for r in not_interested}:
        raise EventRefused(_("A participant cannot be both “must meet” and “not interested”."))
    registration.must_meet.set(must_meet)
    registration.not_interested.set(not_interested)


@transaction.atomic
def registration_create(
    *,
    event: Event,
    by: User,
    need: str,
    available_slots: Iterable[int],
    firm: ForeignFirm | None = None,
    organization: Organization | None = None,
    must_meet: Sequence[Registration] = (),
    not_interested: Sequence[Registration] = (),
    now: dt.datetime | None = None,
) -> Registration:
    """Register a firm (itself, while registration is open) or an organization (by the
    curator, on its behalf, until the schedule is published)."""
    if (firm is None) == (organization is None):
        raise ValueError("a registration is for a firm or an organization")
    if firm is not None and not event.registration_is_open(now):
        raise EventRefused(_("Registration for this event is not open."))
    if organization is not None:
        _require(event, State.DRAFT, State.OPEN, State.CLOSED)
        if not event.admits(organization):
            raise EventRefused(_("This event is not open to organizations of that kind or place."))
    taken = Registration.objects.filter(event=event)
    if (firm is not None and taken.filter(firm=firm).exists()) or (
        organization is not None and taken.filter(organization=organization).exists()
    ):
        raise EventRefused(_("Already registered for this event."))
    registration = Registration.objects.create(
        event=event,
        firm=firm,
        organization=organization,
        need=need.strip(),
        available_slots=_clean_slots(event, available_slots),
        registered_by=by,
    )
    _set_requests(registration, must_meet, not_interested)
    return registration


@transaction.atomic
def registration_update(
    *,
    registration: Registration,
    need: str,
    available_slots: Iterable[int],
    must_meet: Sequence[Registration] = (),
    not_interested: Sequence[Registration] = (),
) -> Registration:
    _require(registration.event, State.DRAFT, State.OPEN, State.CLOSED)
    registration.need = need.strip()
    registration.available_slots = _clean_slots(registration.event, available_slots)
    registration.save(update_fields=["need", "available_slots"])
    _set_requests(registration, must_meet, not_interested)
    return registration


def event_problem(event: Event, *, with_scores: bool = True) -> scheduling.Problem:
    """The event as the solver sees it: registrations by pk, the ranker's scores of each
    firm's need against each registered organization, requests from either side, locks."""
    registrations = list(
        event.registrations.select_related("organization__prefecture").prefetch_related(
            "must_meet", "not_interested"
        )
    )
    firms = [r for r in registrations if r.is_firm]
    orgs = [r for r in registrations if not r.is_firm]
    registration_of = {r.organization_id: r.pk for r in orgs if r.organization_id is not None}
    scores: dict[tuple[int, int], float] = {}
    if with_scores and firms and orgs:
        filters = filters_from(
            kinds=event.kinds, prefectures=[p.code for p in event.prefectures.all()]
        )
        needs = {r.pk: r.need for r in firms}
        for (firm_pk, org_id), score in pair_scores(
            needs, list(registration_of), filters=filters
        ).items():
            scores[(firm_pk, registration_of[org_id])] = score

    def pairs(relation: str) -> frozenset[tuple[int, int]]:
        found = set()
        for r in registrations:
            for other in getattr(r, relation).all():
                found.add((r.pk, other.pk) if r.is_firm else (other.pk, r.pk))
        return frozenset(found)

    locked = [
        scheduling.Meeting(
            m.firm_registration_id, m.organization_registration_id, m.slot, m.table, locked=True
        )
        for m in event.meetings.filter(locked=True)
    ]
    return scheduling.Problem(
        firms=[scheduling.Participant(r.pk, frozenset(r.available_slots)) for r in firms],
        organizations=[scheduling.Participant(r.pk, frozenset(r.available_slots)) for r in orgs],
        scores=scores,
        slots=event.slot_count,
        tables=event.tables,
        max_meetings=event.max_meetings,
        must_meet=pairs("must_meet"),
        not_interested=pairs("not_interested"),
        locked=locked,
        lying_dragons=frozenset(
            r.pk for r in orgs if r.organization is not None and r.organization.lying_dragon
        ),
    )


@transaction.atomic
def schedule_propose(*, event: Event) -> scheduling.Schedule:
    """Solve the event and replace every meeting the curator has not locked."""
    _require(event, State.CLOSED)
    event = Event.objects.select_for_update().get(pk=event.pk)
    problem = event_problem(event)
    try:
        schedule = scheduling.solve(problem)
    except scheduling.ScheduleError as error:
        raise EventRefused(
            _("The locked meetings contradict each other or the registrations: %(issues)s")
            % {"issues": "; ".join(issue_text(issue, event) for issue in error.issues)}
        ) from error
    event.meetings.filter(locked=False).delete()
    EventMeeting.objects.bulk_create(
        EventMeeting(
            event=event,
            firm_registration_id=m.firm,
            organization_registration_id=m.organization,
            slot=m.slot,
            table=m.table,
            locked=False,
            score=problem.scores.get((m.firm, m.organization), 0.0),
        )
        for m in schedule.meetings
        if not m.locked
    )
    event.proposal = {
        "score": schedule.score,
        "objective": schedule.objective,
        "bound": schedule.bound,
        "seconds": schedule.seconds,
        "issues": [issue_text(issue, event) for issue in schedule.issues],
        "proposed_at": timezone.now().isoformat(),
    }
    event.save(update_fields=["proposal", "updated_at"])
    return schedule


def issue_text(issue: scheduling.Issue, event: Event) -> str:
    """The solver's issue in the curator's words."""
    names = {r.pk: str(r) for r in event.registrations.select_related("firm", "organization")}
    values = {
        "firm": names.get(issue.firm or 0, "?"),
        "organization": names.get(issue.organization or 0, "?"),
        "slot": (issue.slot or 0) + 1,
    }
    texts = {
        "must_meet_no_common_slot": _(
            "%(firm)s must meet %(organization)s, but they share no slot."
        ),
        "must_meet_not_interested": _(
            "%(firm)s and %(organization)s: one asked to meet, the other is not interested."
        ),
        "must_meet_unmet": _(
            "%(firm)s must meet %(organization)s, but no table or slot was left for them."
        ),
        "no_possible_partner": _("%(organization)s has no possible partner."),
        "uncovered": _("%(organization)s has no meeting."),
        "dragon_short": _("%(organization)s (a lying dragon) has fewer meetings than reserved."),
        "lock_unavailable": _(
            "%(firm)s – %(organization)s is locked in slot %(slot)s, when one is away."
        ),
        "lock_double_booked": _(
            "%(firm)s – %(organization)s: a participant is locked twice in slot %(slot)s."
        ),
        "lock_tables_full": _("Slot %(slot)s has more locked meetings than tables."),
        "lock_repeated": _("%(firm)s – %(organization)s is locked twice."),
    }
    return texts.get(issue.kind, issue.kind) % values


def _violations(event: Event, seats: dict[int, tuple[int, int]]) -> list[str]:
    """The hard rules the event's meetings would break with these meetings moved."""
    meetings = [
        scheduling.Meeting(
            m.firm_registration_id,
            m.organization_registration_id,
            *seats.get(m.pk, (m.slot, m.table)),
            locked=m.locked,
        )
        for m in event.meetings.all()
    ]
    problem = event_problem(event, with_scores=False)
    # The curator may give anyone more meetings than K: only the day's hard rules count.
    free = scheduling.Problem(
        firms=problem.firms,
        organizations=problem.organizations,
        scores={},
        slots=problem.slots,
        tables=problem.tables,
        max_meetings=max(problem.max_meetings, len(meetings)),
    )
    return scheduling.violations(free, meetings)


@transaction.atomic
def meeting_swap(*, first: EventMeeting, second: EventMeeting) -> None:
    """Exchange two meetings' slots and tables (a locked meeting stays where it is)."""
    if first.event_id != second.event_id or first.pk == second.pk:
        raise EventRefused(_("Choose two different meetings of this event."))
    _require(first.event, State.CLOSED)
    if first.locked or second.locked:
        raise EventRefused(_("Unlock a meeting before moving it."))
    seats = {first.pk: (second.slot, second.table), second.pk: (first.slot, first.table)}
    if _violations(first.event, seats):
        raise EventRefused(
            _("That swap would put someone in a slot they are away for, or in two places.")
        )
    # The unique constraints hold at every step: park the first meeting outside the grid.
    first.slot, first.table = 32767, 32767
    first.save(update_fields=["slot", "table"])
    second.slot, second.table = seats[second.pk]
    second.save(update_fields=["slot", "table"])
    first.slot, first.table = seats[first.pk]
    first.save(update_fields=["slot", "table"])


@transaction.atomic
def meeting_lock(*, meeting: EventMeeting, locked: bool) -> EventMeeting:
    _require(meeting.event, State.CLOSED)
    meeting.locked = locked
    meeting.save(update_fields=["locked"])
    return meeting


@transaction.atomic
def event_publish(*, event: Event, now: dt.datetime | None = None) -> Event:
    _require(event, State.CLOSED)
    if not event.meetings.exists():
        raise EventRefused(_("Propose a schedule before publishing it."))
    event.state = State.PUBLISHED
    event.published_at = now or timezone.now()
    event.save(update_fields=["state", "published_at", "updated_at"])
    return event
