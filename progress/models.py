"""Who has started and completed what. Written once, never deleted.

A person can take a course more than once (recertification when a completion expires), so
progress belongs to a numbered round of a course. Pages are referred to through Wagtail's
page table; `courses` and `modules` are not imported here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress"
    )
    course = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_module = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("course progress")
        verbose_name_plural = _("course progress")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "round"], name="course_progress_once_per_round"
            )
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="courseprog_course_done")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.course_id}#{self.round}"


class ModuleProgress(models.Model):
    course_progress = models.ForeignKey(
        CourseProgress, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Group credit (a workplace meeting the learner attended): which credit completed the
    # module, so that withdrawing it removes exactly that credit and nothing the learner did.
    # Empty when the learner completed the module themselves.
    credit_key = models.CharField(
        _("credited by"), max_length=100, blank=True, default="", db_default="", db_index=True
    )
    credited_on = models.DateField(_("credited for the day"), null=True, blank=True)
    # True when the row exists only because of the credit (the learner never opened the
    # module): withdrawing the credit then removes the row instead of leaving "started".
    created_by_credit = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(
                fields=["course_progress", "module"], name="module_progress_once_per_round"
            )
        ]
        indexes = [models.Index(fields=["module", "completed_at"], name="modprog_module_done")]

    def __str__(self) -> str:
        return f"{self.course_progress_id}/{self.module_id}"

    @property
    def completed_by_credit(self) -> bool:
        return bool(self.credit_key) and self.completed_at is not None


class Completion(models.Model):
    """A finished course: the record that dashboards, diplomas and reminders read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    course = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    # Goes with the learner's progress when a person is erased (GDPR); pages are protected.
    course_progress = models.OneToOneField(
        CourseProgress, on_delete=models.CASCADE, related_name="completion"
    )
    completed_at = models.DateTimeField(_("completed"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [
            models.Index(fields=["course", "completed_at"], name="completion_course_date"),
            models.Index(fields=["user", "course"], name="completion_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.course_id} {self.completed_at:%Y-%m-%d}"
