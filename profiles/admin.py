"""Django admin for every directory model; curators see only their prefectures' rows."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from profiles import services
from profiles.forms import OrganizationAdminForm
from profiles.models import (
    Concept,
    Curatorship,
    Industry,
    Language,
    Municipality,
    Organization,
    PartnershipType,
    Prefecture,
    PrefectureGuide,
    Region,
)
from profiles.models.curation import curated_prefecture_ids


class PrefectureScopedAdmin(admin.ModelAdmin):
    """Limit rows, choices and object permissions to the curator's prefectures."""

    prefecture_path = "prefecture_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        ids = curated_prefecture_ids(request.user)
        return queryset if ids is None else queryset.filter(**{f"{self.prefecture_path}__in": ids})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = curated_prefecture_ids(request.user)
        if ids is not None and db_field.name == "prefecture":
            kwargs["queryset"] = Prefecture.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        ids = curated_prefecture_ids(request.user)
        return obj is None or ids is None or obj.prefecture_id in ids

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


# EDINET companies often have no English name: the English name, else the Japanese one, so no
# row is linked through "-" and the nameless ones do not all sort first.
NAME_EN_OR_JA = Coalesce(NullIf("name_en", Value("")), "name_ja")


@admin.register(Organization)
class OrganizationAdmin(PrefectureScopedAdmin):
    form = OrganizationAdminForm
    list_display = [
        "display_name",
        "name_ja",
        "kind",
        "prefecture",
        "status",
        "lying_dragon",
        "source",
        "verified_at",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        "lying_dragon",
        "source",
        ("prefecture__region", admin.RelatedOnlyFieldListFilter),
        ("prefecture", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name_en", "name_ja", "external_id", "keywords"]
    list_select_related = ["prefecture"]
    ordering = [NAME_EN_OR_JA.asc(), "pk"]
    autocomplete_fields = ["municipality", "industries"]
    filter_horizontal = ["partnership_types", "languages"]
    readonly_fields = [
        "verified_by",
        "verified_at",
        "created_at",
        "updated_at",
        "version",
        "source",
    ]
    actions = ["publish", "archive", "mark_verified"]
    date_hierarchy = "updated_at"

    @admin.display(description=_("name"), ordering=NAME_EN_OR_JA)
    def display_name(self, organization: Organization) -> str:
        return organization.name_en or organization.name_ja

    fieldsets = [
        (
            None,
            {"fields": ["kind", ("name_en", "name_ja"), "prefecture", "municipality", "status"]},
        ),
        (
            _("Profile"),
            {
                "fields": [
                    # Each text of the profile, English beside Japanese (declared once, on
                    # the model: `BilingualTexts`).
                    *[(f"{text}_en", f"{text}_ja") for text in Organization.bilingual_texts()],
                    "keywords",
                    "industries",
                    "partnership_types",
                    "languages",
                ]
            },
        ),
        (
            _("Facts"),
            {
                "fields": [
                    ("employees", "capital_million_jpy", "founded"),
                    "website",
                    "certifications",
                    "export_experience",
                    ("contact_name", "contact_email"),
                ]
            },
        ),
        (
            _("Lying dragon"),
            {"fields": ["lying_dragon", "lying_dragon_reason", "lying_dragon_evidence"]},
        ),
        (
            _("Record"),
            {
                "fields": [
                    "external_id",
                    "source",
                    "version",
                    "seen_version",
                    "verified_by",
                    "verified_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        # A curator may not move an organization to another prefecture.
        if obj is not None and curated_prefecture_ids(request.user) is not None:
            fields.append("prefecture")
        return fields

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        # The form has already changed obj in memory: read "before" from the database.
        before = (
            services.organization_snapshot(Organization.objects.get(pk=obj.pk)) if change else {}
        )
        request._organization_before = before  # type: ignore[attr-defined]
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.organization_record_admin_change(
            organization=form.instance,
            before=getattr(request, "_organization_before", {}),
            user=cast(User, request.user),
            created=not change,
        )

    @admin.action(description=_("Publish the selected organizations"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        count = services.organizations_set_status(
            organizations=queryset,
            status=Organization.Status.PUBLISHED,
            user=cast(User, request.user),
        )
        self.message_user(request, _("%d organizations published.") % count, messages.SUCCESS)

    @admin.action(description=_("Archive the selected organizations"), permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        count = services.organizations_set_status(
            organizations=queryset,
            status=Organization.Status.ARCHIVED,
            user=cast(User, request.user),
        )
        self.message_user(request, _("%d organizations archived.") % count, messages.SUCCESS)

    @admin.action(
        description=_("Mark the selected organizations as verified"), permissions=["change"]
    )
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        count = services.organizations_mark_verified(
            organizations=queryset, user=cast(User, request.user)
        )
        self.message_user(
            request, _("%d organizations marked verified.") % count, messages.SUCCESS
        )


@admin.register(PrefectureGuide)
class PrefectureGuideAdmin(PrefectureScopedAdmin):
    list_display = ["prefecture", "is_sample", "updated_at", "updated_by"]
    list_filter = ["is_sample", "prefecture__region"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("prefecture")
        return fields

    def save_model(
        self, request: HttpRequest, obj: PrefectureGuide, form: Any, change: bool
    ) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "code", "order"]


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "iso_code", "region", "metropolitan"]
    list_editable = ["metropolitan"]
    list_filter = ["region", "metropolitan"]
    search_fields = ["name_en", "name_ja", "code"]
    readonly_fields = ["code", "iso_code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_romaji", "kind", "prefecture"]
    list_filter = ["kind", "prefecture__region", "prefecture"]
    search_fields = ["name_ja", "name_romaji", "code"]
    list_select_related = ["prefecture"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "level", "division"]
    list_filter = ["level", "division"]
    search_fields = ["code", "name_en", "name_ja"]
    raw_id_fields = ["parent"]


@admin.register(PartnershipType)
class PartnershipTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "order"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "order"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "name_en",
        "name_ja",
        "name_zh_hans",
        "name_zh_hant",
        "domain",
        "updated_at",
    ]
    list_filter = ["domain"]
    search_fields = [
        "key",
        "name_en",
        "name_ja",
        "name_zh_hans",
        "name_zh_hant",
        "synonyms_en",
        "synonyms_ja",
        "synonyms_zh_hans",
        "synonyms_zh_hant",
    ]


@admin.register(Curatorship)
class CuratorshipAdmin(admin.ModelAdmin):
    list_display = ["user", "prefecture", "created_at"]
    list_filter = ["prefecture__region", "prefecture"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


class CuratorshipInline(admin.TabularInline):
    model = Curatorship
    extra = 0


admin.site.unregister(get_user_model())


@admin.register(User)
class RyumonUserAdmin(UserAdmin):
    inlines = [CuratorshipInline]
