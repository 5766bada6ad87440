# The English interface keeps the dd/mm/yyyy dates of the documents it reads.
from training_site.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
