from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When beat last sent, and a worker last ran, the periodic heartbeat task.

    One row per named heartbeat. /health/ reads it to tell whether worker and beat are alive.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_sent_at = models.DateTimeField(_("sent by beat"), null=True, blank=True)
    worker_seen_at = models.DateTimeField(_("run by a worker"), null=True, blank=True)
    worker_hostname = models.CharField(_("worker"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name
