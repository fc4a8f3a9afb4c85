"""What an organization page shows a firm member: the shortlist button, similar organizations.

The organization page belongs to the directory; this tag adds the firm's part without the
directory's view knowing about firms. The tag decides membership itself (from the request's
user), so a visitor who is not a firm member never gets the firm's controls.
"""

from __future__ import annotations

from typing import Any

from django import template

from matchmaking.firms.access import firm_of
from matchmaking.firms.models import ShortlistEntry
from matchmaking.firms.partners import similar_organizations as find_similar
from profiles.models import Organization

register = template.Library()


@register.inclusion_tag("matchmaking/firms/_firm_actions.html", takes_context=True)
def firm_actions(context: dict[str, Any], organization: Organization) -> dict[str, Any]:
    request = context["request"]
    firm = firm_of(request.user)
    if organization.status != Organization.Status.PUBLISHED:
        firm = None
    return {
        "request": request,
        "organization": organization,
        "firm": firm,
        "on_shortlist": firm is not None
        and ShortlistEntry.objects.filter(firm=firm, organization=organization).exists(),
    }


@register.inclusion_tag("matchmaking/firms/_similar_organizations.html")
def similar_organizations(organization: Organization) -> dict[str, Any]:
    published = organization.status == Organization.Status.PUBLISHED
    return {"similar": find_similar(organization) if published else []}
