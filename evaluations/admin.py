"""The evaluations admin: one module per sub-domain, imported here so the admin registers them."""

from . import (
    admin_appraisal,  # noqa: F401  (appraisal)
    admin_employer,  # noqa: F401  (employer: sheets, batches, consultations, certificates)
)
