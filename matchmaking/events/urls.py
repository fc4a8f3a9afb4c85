"""The events' addresses: the curator's under /workspace/events/, a firm's under
/firm/events/ (each user's pages beside their others)."""

from __future__ import annotations

from django.urls import path

from matchmaking.events import curator_views as curator
from matchmaking.events import firm_views as firm

app_name = "events"

urlpatterns = [
    path("workspace/events/", curator.event_list, name="curator_events"),
    path("workspace/events/new/", curator.event_new, name="curator_event_new"),
    path("workspace/events/<int:pk>/", curator.event_detail, name="curator_event"),
    path("workspace/events/<int:pk>/edit/", curator.event_edit, name="curator_event_edit"),
    path(
        "workspace/events/<int:pk>/registrations/",
        curator.registration_create,
        name="curator_registration_create",
    ),
    path("workspace/events/<int:pk>/schedule/", curator.schedule, name="curator_schedule"),
    path(
        "workspace/events/<int:pk>/schedule/propose/",
        curator.schedule_propose,
        name="curator_schedule_propose",
    ),
    path(
        "workspace/events/<int:pk>/schedule/swap/",
        curator.meeting_swap,
        name="curator_meeting_swap",
    ),
    path(
        "workspace/events/<int:pk>/meetings/<int:meeting_pk>/lock/",
        curator.meeting_lock,
        name="curator_meeting_lock",
    ),
    path(
        "workspace/events/<int:pk>/registrations/<int:registration_pk>/schedule/",
        curator.participant_schedule,
        name="curator_participant_schedule",
    ),
    path(
        "workspace/events/<int:pk>/registrations/<int:registration_pk>/schedule/print/",
        curator.participant_schedule_print,
        name="curator_participant_schedule_print",
    ),
    path(
        "workspace/events/<int:pk>/registrations/<int:registration_pk>/schedule.ics",
        curator.participant_schedule_ics,
        name="curator_participant_schedule_ics",
    ),
    path("workspace/events/<int:pk>/<slug:action>/", curator.event_act, name="curator_event_act"),
    path("firm/events/", firm.event_list, name="firm_events"),
    path("firm/events/<int:pk>/", firm.register, name="firm_register"),
    path("firm/events/<int:pk>/schedule/", firm.schedule, name="firm_schedule"),
    path("firm/events/<int:pk>/schedule/print/", firm.schedule_print, name="firm_schedule_print"),
    path("firm/events/<int:pk>/schedule.ics", firm.schedule_ics, name="firm_schedule_ics"),
]
