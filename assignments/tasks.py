from celery import shared_task

from . import services

EVALUATE_TASK = "assignments.evaluate_rules"


@shared_task(name=EVALUATE_TASK, ignore_result=True)
def evaluate_rules(course_ids: list[int] | None = None) -> None:
    """Nightly, after an HR import and after a rule changes: rules → assignments."""
    services.evaluate_rules(course_ids=course_ids)


def evaluate_after_organisation_change(sender, **kwargs) -> None:
    evaluate_rules.delay()


RENEW_TASK = "assignments.renew_lapsed"


@shared_task(name=RENEW_TASK, ignore_result=True, soft_time_limit=14 * 60, time_limit=15 * 60)
def renew_lapsed() -> None:
    """Daily, after the rules are evaluated and before reminders are decided: a new round for
    everyone whose completion of an assigned course has lapsed."""
    services.renew_lapsed()
