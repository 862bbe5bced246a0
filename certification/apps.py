from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Workplace certification")

    def ready(self) -> None:
        # The built-in criterion kinds register themselves on import.
        from . import evaluators  # noqa: F401
