"""Read-only JSON API: /api/v1/suggestions and its OpenAPI description."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from matchmaking.search import selectors, store
from matchmaking.throttle import client_address
from profiles.models import Organization

MAX_TOP = 50
PREFECTURE_CODES = [(f"{code:02d}", f"{code:02d}") for code in range(1, 48)]


class SuggestionQueryForm(forms.Form):
    text = forms.CharField(max_length=10_000, strip=True)
    top = forms.IntegerField(min_value=1, max_value=MAX_TOP, required=False)
    kind = forms.MultipleChoiceField(choices=Organization.Kind.choices, required=False)
    prefecture = forms.MultipleChoiceField(choices=PREFECTURE_CODES, required=False)
    region = forms.CharField(max_length=20, required=False)
    industry = forms.CharField(max_length=4, required=False)
    partnership_type = forms.CharField(max_length=30, required=False)
    language = forms.CharField(max_length=8, required=False)
    lying_dragons_only = forms.BooleanField(required=False)
    lang = forms.ChoiceField(
        choices=[(code, code) for code in ("en", "ja", "zh-hans", "zh-hant")], required=False
    )
    boost = forms.NullBooleanField(required=False)

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        return selectors.filters_from(
            kinds=data["kind"],
            prefectures=data["prefecture"],
            regions=[data["region"]],
            industries=[data["industry"]],
            partnership_types=[data["partnership_type"]],
            languages=[data["language"]],
            lying_dragons_only=data["lying_dragons_only"],
        )


def rate_limited(request: HttpRequest, *, scope: str, per_minute: int) -> int:
    """Count this request; return the seconds to wait if the client is over its limit.

    A fixed one-minute window in the shared cache, so every worker counts together.
    """
    window = int(time.time() // 60)
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"rate:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return 0 if count <= per_minute else 60 - int(time.time()) % 60


@require_GET
@never_cache
def suggestions_api(request: HttpRequest) -> JsonResponse:
    wait = rate_limited(request, scope="suggestions", per_minute=settings.API_RATE_LIMIT)
    if wait:
        response = JsonResponse({"error": "Too many requests; try again later."}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = SuggestionQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    data = form.cleaned_data
    lang = data["lang"] or translation.get_language() or "en"
    try:
        with translation.override(lang):
            found = selectors.suggest(
                data["text"],
                top=data["top"] or 10,
                filters=form.filters(),
                boost=data["boost"],
                lang=lang,
            )
    except store.IndexMissing:
        return JsonResponse({"error": "The search index is being built."}, status=503)
    staff = request.user.is_authenticated and request.user.is_staff
    return JsonResponse(
        {
            "index_version": store.current_index().version,
            "results": [s.as_json(staff=staff) for s in found],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Ryumon suggestions API",
        "version": "1",
        "description": "Rank published Japanese organizations for a foreign firm's need.",
    },
    "paths": {
        "/api/v1/suggestions": {
            "get": {
                "summary": "Suggested partner organizations, best first, explained",
                "parameters": [
                    {
                        **_parameter("text", {"type": "string"}, "The need, EN or JA"),
                        "required": True,
                    },
                    _parameter(
                        "top",
                        {"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": 10},
                        "How many results",
                    ),
                    _parameter(
                        "kind",
                        {"type": "string", "enum": Organization.Kind.values},
                        "Organization kind; repeat for several",
                    ),
                    _parameter(
                        "prefecture",
                        {"type": "string", "pattern": "^[0-4][0-9]$"},
                        "Two-digit JIS code; repeat for several",
                    ),
                    _parameter("region", {"type": "string"}, "Region code, e.g. kyushu-okinawa"),
                    _parameter("industry", {"type": "string"}, "JSIC code at any level"),
                    _parameter("partnership_type", {"type": "string"}, "e.g. joint_rnd"),
                    _parameter("language", {"type": "string"}, "Working language, e.g. en"),
                    _parameter("lying_dragons_only", {"type": "boolean"}, "Only lying dragons"),
                    _parameter(
                        "lang",
                        {"type": "string", "enum": ["en", "ja", "zh-hans", "zh-hant"]},
                        "Language of the explanations (Chinese: concept names in Chinese "
                        "where the glossary has them, else English)",
                    ),
                    _parameter(
                        "boost",
                        {"type": "boolean", "default": True},
                        "Regional boost for non-metropolitan organizations",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "index_version and results: external_id, id, "
                        "name_en, name_ja, kind, prefecture, lying_dragon, score, "
                        "boosted, explanation {terms, facets}"
                    },
                    "400": {"description": "Invalid parameters"},
                    "429": {"description": "Rate limit exceeded; see Retry-After"},
                    "503": {"description": "No index built yet"},
                },
            }
        }
    },
}


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(OPENAPI)
