from __future__ import annotations

from django.urls import path

from matchmaking.firms.introductions import meeting_views, views

app_name = "introductions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:pk>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/reschedule/",
        views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("<int:pk>/meetings/<int:meeting_pk>/pick/", views.meeting_pick, name="meeting_pick"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting_cancel"
    ),
    path("<int:pk>/meetings/<int:meeting_pk>/outcome/", views.outcome_new, name="outcome_new"),
    path("outcome/<str:token>/", meeting_views.outcome_answer, name="outcome_answer"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
