from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from profiles.models import Organization


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    organizations = (
        Organization.objects.published()
        .select_related("prefecture", "municipality")
        .order_by("-lying_dragon", "name_en", "name_ja")
    )
    page = Paginator(organizations, 20).get_page(request.GET.get("page"))
    return render(request, "profiles/directory.html", {"page": page})


@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.visible_to(request.user).select_related(
            "prefecture__region", "municipality", "verified_by"
        ),
        pk=pk,
    )
    context = {
        "organization": organization,
        "industries": organization.industries.all(),
        "partnership_types": organization.partnership_types.all(),
        "languages": organization.languages.all(),
    }
    return render(request, "profiles/organization_detail.html", context)


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/sources.html")
