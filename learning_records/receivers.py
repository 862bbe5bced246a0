"""Statements written in the same transaction as the learner's event (see progress.signals and
quizzes.signals). A receiver that raised would undo the learner's progress, so each one only
builds a dict and inserts one row."""

from django.dispatch import receiver

from progress.signals import course_completed, module_completed, module_started
from quizzes.signals import quiz_graded

from . import services


@receiver(module_started, dispatch_uid="xapi_module_started")
def on_module_started(sender, *, user, module_progress, **kwargs):
    services.record_module_started(user=user, module_progress=module_progress)


@receiver(module_completed, dispatch_uid="xapi_module_completed")
def on_module_completed(sender, *, user, module_progress, **kwargs):
    services.record_module_completed(user=user, module_progress=module_progress)


@receiver(course_completed, dispatch_uid="xapi_course_completed")
def on_course_completed(sender, *, user, completion, **kwargs):
    services.record_course_completed(user=user, completion=completion)


@receiver(quiz_graded, dispatch_uid="xapi_quiz_graded")
def on_quiz_graded(sender, *, user, attempt, **kwargs):
    services.record_quiz_graded(user=user, attempt=attempt)
