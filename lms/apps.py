from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (connects the beat heartbeat recorder)
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        from . import content_cache

        content_cache.connect()  # publishing, moving or deleting pages empties the page cache
