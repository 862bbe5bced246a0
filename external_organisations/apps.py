from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExternalOrganisationsConfig(AppConfig):
    name = "external_organisations"
    verbose_name = _("External organisations")

    def ready(self) -> None:
        from progress.signals import course_completed

        from . import services
        from .gdpr import register_providers

        course_completed.connect(services.on_course_completed, dispatch_uid="extorg.award")
        register_providers()
