from __future__ import annotations

from django.urls import path

from matchmaking.firms import views

app_name = "firm"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("suggestions/", views.suggested, name="suggested"),
    path("suggestions/<int:pk>/not-relevant/", views.dismiss, name="dismiss"),
    path("shortlist/", views.shortlist, name="shortlist"),
    path("shortlist/export.csv", views.shortlist_csv, name="shortlist_csv"),
    path("shortlist/<int:pk>/", views.shortlist_toggle, name="shortlist_toggle"),
    path("shortlist/<int:pk>/note/", views.shortlist_note, name="shortlist_note"),
]
