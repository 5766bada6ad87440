"""FilterSets for the staff lists, one module per subject, shared by each list view and its export.

Choice lists (units) are narrowed to what the requesting user may see (staff/access.py).
"""

from .base import scoped_units
from .certificates import CertificateFilterSet
from .enrollment import EnrollmentFilterSet
from .organisation import UnitFilterSet
from .people import OfficialFilterSet, search_officials

__all__ = ["CertificateFilterSet", "EnrollmentFilterSet", "OfficialFilterSet", "UnitFilterSet",
           "scoped_units", "search_officials"]
