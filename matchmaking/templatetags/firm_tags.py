"""What an organization page shows a firm member: the shortlist button, similar organizations.

The organization page belongs to the directory; this tag adds the firm's part without the
directory's view knowing about firms. The tag decides membership itself (from the request's
user), so a visitor who is not a firm member never gets the firm's controls.
"""

from __future__ import annotations

from typing import Any

from django import template

from matchmaking.accounts.access import firm_of
from matchmaking.firm.suggested import similar_organizations
from matchmaking.models import ShortlistEntry
from profiles.models import Organization

register = template.Library()


@register.inclusion_tag("matchmaking/firm/_organization_extras.html", takes_context=True)
def organization_extras(context: dict[str, Any], organization: Organization) -> dict[str, Any]:
    request = context["request"]
    firm = firm_of(request.user)
    published = organization.status == Organization.Status.PUBLISHED
    return {
        "request": request,
        "organization": organization,
        "firm": firm if published else None,
        "on_shortlist": bool(firm)
        and ShortlistEntry.objects.filter(firm=firm, organization=organization).exists(),
        "similar": similar_organizations(organization) if published else [],
    }
