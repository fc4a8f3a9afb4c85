"""The directory's data: reference geography and industries, organizations, glossary."""

from profiles.models.curation import Curatorship, PrefectureGuide
from profiles.models.glossary import Concept
from profiles.models.history import ImportJob, OrganizationChange
from profiles.models.organizations import Organization, OrganizationQuerySet
from profiles.models.reference import (
    EmployeesBand,
    Industry,
    Language,
    Municipality,
    PartnershipType,
    Prefecture,
    Region,
)

__all__ = [
    "Concept",
    "Curatorship",
    "EmployeesBand",
    "ImportJob",
    "Industry",
    "Language",
    "Municipality",
    "Organization",
    "OrganizationChange",
    "OrganizationQuerySet",
    "PartnershipType",
    "Prefecture",
    "PrefectureGuide",
    "Region",
]
