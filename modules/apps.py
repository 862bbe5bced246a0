from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = _("Modules")

    def ready(self) -> None:
        from .gdpr import register_providers

        register_providers()
