from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningRecordsConfig(AppConfig):
    name = "learning_records"
    verbose_name = _("Learning records (xAPI)")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the signal receivers)
