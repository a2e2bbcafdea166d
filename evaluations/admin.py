"""The evaluations app's admin, by sub-domain (Django discovers this module; each half registers its own)."""

from . import admin_employer  # noqa: F401  employer: sheets, batches, consultations, certificates
