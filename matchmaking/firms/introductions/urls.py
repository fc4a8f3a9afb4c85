from __future__ import annotations

from django.urls import path

from matchmaking.firms.introductions import views

app_name = "introductions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:pk>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
