from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExternalOrganisationsConfig(AppConfig):
    name = "external_organisations"
    verbose_name = _("External organisations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from progress.signals import course_completed

        from . import services
        from .gdpr import register_providers

        course_completed.connect(services.on_course_completed, dispatch_uid="extorg.award")
        user_logged_in.connect(services.remember_membership, dispatch_uid="extorg.session")
        register_providers()
