from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assignments"
    verbose_name = _("Assignments")

    def ready(self) -> None:
        from people import gdpr
        from people.signals import organisation_changed
        from progress.services import register_round_opener

        from . import gdpr as assignment_gdpr
        from . import services, tasks

        gdpr.register(assignment_gdpr.PROVIDER)
        register_round_opener(services.renewal_open_if_due)
        organisation_changed.connect(tasks.evaluate_after_organisation_change)
