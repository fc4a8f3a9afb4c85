"""Django admin for the matchmaking records: mostly read, since the app's own flows write them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from matchmaking.events.models import Event, EventMeeting, Registration
from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from matchmaking.search.models import SearchIndex, SearchIndexChunk


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the app's flows: admins inspect and delete, never forge them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SearchIndex)
class SearchIndexAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "created_at",
        "document_count",
        "vocabulary_size",
        "build_seconds",
        "size_bytes",
    ]

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        """What a delete removes, counted: Django's own list would load every chunk of the
        versions (up to 1.4 GB each) to name them one by one."""
        versions = list(objs)
        chunks = SearchIndexChunk.objects.filter(index__in=versions).count()
        counts = {
            str(SearchIndex._meta.verbose_name_plural): len(versions),
            str(SearchIndexChunk._meta.verbose_name_plural): chunks,
        }
        return [str(version) for version in versions], counts, set(), []


class IntroductionEventInline(admin.TabularInline):
    model = IntroductionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor", "message", "at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "firm",
        "organization",
        "state",
        "answer",
        "created_at",
        "state_changed_at",
    ]
    list_filter = ["state", "answer", "organization__prefecture"]
    search_fields = [
        "firm__name",
        "organization__name_en",
        "organization__name_ja",
        "contact_email",
    ]
    list_select_related = ["firm", "organization"]
    inlines = [IntroductionEventInline]


@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["firm", "organization", "created_at"]
    search_fields = ["firm__name", "organization__name_en", "organization__name_ja"]
    list_select_related = ["firm", "organization"]


@admin.register(SuggestionFeedback)
class SuggestionFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["firm", "organization", "reason", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["firm", "organization"]


@admin.register(SuggestionShown)
class SuggestionShownAdmin(ReadOnlyAdmin):
    list_display = ["firm", "organization", "week"]
    list_filter = ["week"]
    list_select_related = ["firm", "organization"]


class FirmMemberInline(admin.TabularInline):
    model = FirmMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ForeignFirm)
class ForeignFirmAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "size", "is_fictional", "updated_at"]
    list_filter = ["country", "is_fictional", "size"]
    search_fields = ["name", "description_en", "seeks_en"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["industries"]
    filter_horizontal = ["partnership_types", "languages", "target_regions", "target_prefectures"]
    inlines = [FirmMemberInline]


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["firm", "organization", "need", "available_slots", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["firm", "organization"]
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "prefecture", "state", "online", "slot_count", "tables"]
    list_filter = ["state", "online", "prefecture"]
    search_fields = ["title", "venue"]
    date_hierarchy = "date"
    filter_horizontal = ["prefectures"]
    readonly_fields = ["proposal", "created_by", "created_at", "updated_at", "published_at"]
    inlines = [RegistrationInline]


@admin.register(EventMeeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = [
        "event",
        "slot",
        "table",
        "firm_registration",
        "organization_registration",
        "locked",
        "score",
    ]
    list_filter = ["locked"]
    list_select_related = [
        "event",
        "firm_registration__firm",
        "organization_registration__organization",
    ]
