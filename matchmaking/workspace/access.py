"""Who may enter the workspace, and which rows they may touch there.

Every lookup goes through `curated_prefecture_ids` (via `Organization.objects.curated_by`),
read afresh on each request, so revoking a prefecture takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from profiles.models import Organization, Prefecture
from profiles.models.curation import curated_prefecture_ids, is_curator

View = Callable[..., HttpResponse]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def curator_required(view: View) -> View:
    """Anonymous users log in; logged-in users who curate nothing get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_curator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def curator(request: HttpRequest) -> User:
    return cast(User, request.user)


def curated_organization(request: HttpRequest, pk: int) -> Organization:
    """Another prefecture's organization answers 404, like a missing one: nothing leaks."""
    return get_object_or_404(
        Organization.objects.curated_by(request.user).select_related(
            "prefecture", "municipality", "verified_by"
        ),
        pk=pk,
    )


def curated_prefecture(request: HttpRequest, code: str) -> Prefecture:
    """A prefecture is public, so another curator's one is refused with 403, not hidden."""
    prefecture = get_object_or_404(Prefecture, code=code)
    scope = curated_prefecture_ids(request.user)
    if scope is not None and prefecture.pk not in scope:
        raise PermissionDenied
    return prefecture
