from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplaceMeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workplace_meetings"
    verbose_name = _("Workplace meetings")

    def ready(self) -> None:
        from people import gdpr

        from . import gdpr as meeting_gdpr

        gdpr.register(meeting_gdpr.PROVIDER)

        from django.apps import apps

        if apps.is_installed("certification"):
            from .certification import register

            register()
        if apps.is_installed("reports"):
            from .reporting import register as register_report_section

            register_report_section()
