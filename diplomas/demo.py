"""Demo: the issuer's name on diplomas, and diplomas for the history's completions.

The rows are created at once (in batches); their PDFs are rendered by the sweep (beat) or
when someone downloads one, so that loading the demo stays quick.
"""

from __future__ import annotations

from wagtail.models import Site

from . import services
from .models import DiplomaSettings

DEMO_ISSUER = "Demokommunen"


def ensure_diplomas() -> int:
    """Returns the number of diplomas created."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        issuer = DiplomaSettings.for_site(site)
        if not issuer.issuer_name:
            issuer.issuer_name = DEMO_ISSUER
            issuer.save()
    return services.diplomas_create_missing()
