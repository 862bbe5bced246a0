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
