"""Thin tasks: the daily housekeeping and the award sweep call their services."""

from celery import shared_task

from . import services


@shared_task(name="external_organisations.housekeeping", time_limit=600)
def housekeeping() -> dict:
    return {
        "invitations_expired": services.invitations_expire(),
        "registrations_removed": services.registrations_expire_unconfirmed(),
        "awards": services.awards_sweep(),
    }
