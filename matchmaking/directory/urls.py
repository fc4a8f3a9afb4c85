from __future__ import annotations

from django.urls import path

from matchmaking.directory import views

app_name = "directory"

urlpatterns = [
    path("organizations/", views.directory, name="search"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("sources/", views.sources, name="sources"),
    path("prefectures/", views.prefecture_index, name="prefectures"),
    path("prefectures/<str:key>/", views.prefecture_detail, name="prefecture"),
]
