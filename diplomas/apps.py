from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiplomasConfig(AppConfig):
    name = "diplomas"
    verbose_name = _("Diplomas")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from progress.signals import course_completed

        from . import receivers
        from .gdpr import register_providers
        from .models import Diploma

        course_completed.connect(receivers.create_diploma, dispatch_uid="diplomas.create")
        post_delete.connect(
            receivers.delete_pdf, sender=Diploma, dispatch_uid="diplomas.delete_pdf"
        )
        register_providers()
