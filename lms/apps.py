from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the beat heartbeat recorder)
