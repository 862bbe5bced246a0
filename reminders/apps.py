from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from people import gdpr

        from . import gdpr as reminder_gdpr

        gdpr.register(reminder_gdpr.PROVIDER)
