from __future__ import annotations

from django.urls import path

from matchmaking.workspace import demand, english, imports, introductions, kpi, views

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("organizations/create/", views.organization_create, name="organization_create"),
    path("organizations/validate/", views.organization_validate, name="organization_validate_new"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/update/", views.organization_update, name="organization_update"),
    path(
        "organizations/<int:pk>/validate/",
        views.organization_validate,
        name="organization_validate",
    ),
    path(
        "organizations/<int:pk>/<slug:action>/",
        views.organization_transition,
        name="organization_transition",
    ),
    path("municipalities/", views.municipalities, name="municipalities"),
    path("prefectures/<str:code>/", views.prefecture_guide, name="prefecture_guide"),
    path(
        "prefectures/<str:code>/update/",
        views.prefecture_guide_update,
        name="prefecture_guide_update",
    ),
    path("import/", imports.import_start, name="import"),
    path("import/upload/", imports.import_upload, name="import_upload"),
    path("import/jobs/<int:pk>/", imports.import_job, name="import_job"),
    path("import/jobs/<int:pk>/commit/", imports.import_commit, name="import_commit"),
    path("import/jobs/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("import/jobs/<int:pk>/retry/", imports.import_retry, name="import_retry"),
    path("import/template.<str:file_format>", imports.import_template, name="import_template"),
    path("export/", imports.export, name="export"),
    path("export/directory/", imports.directory_export, name="directory_export"),
    path("introductions/", introductions.queue, name="introductions"),
    path("introductions/<int:pk>/", introductions.detail, name="introduction"),
    path("introductions/<int:pk>/meetings/new/", introductions.meeting_new, name="meeting_new"),
    path(
        "introductions/<int:pk>/meetings/<int:meeting_pk>/reschedule/",
        introductions.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path(
        "introductions/<int:pk>/meetings/<int:meeting_pk>/pick/",
        introductions.meeting_pick,
        name="meeting_pick",
    ),
    path(
        "introductions/<int:pk>/meetings/<int:meeting_pk>/cancel/",
        introductions.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "introductions/<int:pk>/meetings/<int:meeting_pk>/outcome/",
        introductions.outcome_new,
        name="outcome_new",
    ),
    path("introductions/<int:pk>/<slug:action>/", introductions.act, name="introduction_act"),
    path("demand/", demand.demand, name="demand"),
    path("reports/", kpi.report, name="kpi"),
    path("reports/national/", kpi.national, name="kpi_national"),
    path("reports/kpi.<str:file_format>", kpi.report_export, name="kpi_export"),
    path("english/", english.queue, name="english_queue"),
    path("english/<int:pk>/", english.edit, name="english_edit"),
    path("english/<int:pk>/update/", english.update, name="english_update"),
]
