from __future__ import annotations

from django.urls import path

from matchmaking.demand.views import demand
from matchmaking.introductions import queue, views

app_name = "introductions"

urlpatterns = [
    path("introductions/", views.index, name="index"),
    path("introductions/new/<int:pk>/", views.new, name="new"),
    path("introductions/<int:pk>/", views.detail, name="detail"),
    path("introductions/<int:pk>/<slug:action>/", views.act, name="act"),
    path("curation/introductions/", queue.queue, name="queue"),
    path("curation/introductions/<int:pk>/", queue.detail, name="curator_detail"),
    path("curation/introductions/<int:pk>/<slug:action>/", queue.act, name="curator_act"),
    path("curation/demand/", demand, name="demand"),
]
