from celery import shared_task

from . import services

EVALUATE_TASK = "assignments.evaluate_rules"


@shared_task(name=EVALUATE_TASK, ignore_result=True)
def evaluate_rules(course_ids: list[int] | None = None) -> None:
    """Nightly, after an HR import and after a rule changes: rules → assignments."""
    services.evaluate_rules(course_ids=course_ids)


def evaluate_after_organisation_change(sender, **kwargs) -> None:
    evaluate_rules.delay()
