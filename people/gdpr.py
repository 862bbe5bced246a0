"""The register extract (registerutdrag) and anonymisation, across apps.

People knows nothing of courses or quizzes; each app that keeps personal data registers a
provider here in its AppConfig.ready(), so the extract always contains every record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Provider:
    key: str  # section name in the extract
    title: str  # heading for people (lazy translation)
    extract: Callable[[object], list[dict]]
    anonymise: Callable[[object], None] | None = None
    # Labels for the readable extract page, key -> lazy translation; keys missing here use
    # people.extract_display's shared labels, then the key humanised.
    labels: dict[str, str] | None = None
    # Values shown through a map on that page, key -> {stored value -> lazy translation}
    # (a status such as "valid"); the JSON keeps the stored value.
    values: dict[str, dict[str, str]] | None = None


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    PROVIDERS[provider.key] = provider


def person_section(user) -> list[dict]:
    person = getattr(user, "person", None)
    rows = [
        {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    ]
    if person is not None:
        rows[0].update(
            {
                "employee_number": person.employee_number,
                "unit": str(person.unit) if person.unit else None,
                "position_title": person.position_title,
                "manager": person.is_manager,
                "start_date": person.start_date.isoformat() if person.start_date else None,
                "end_date": person.end_date.isoformat() if person.end_date else None,
                "sex": person.get_sex_display(),
            }
        )
    return rows


def register_extract(user) -> dict:
    """Everything the platform keeps about one person, and nothing about anyone else."""
    sections = {"person": person_section(user)}
    for key, provider in PROVIDERS.items():
        sections[key] = provider.extract(user)
    return {"created": timezone.now().isoformat(), "sections": sections}


def anonymise_everywhere(user) -> None:
    for provider in PROVIDERS.values():
        if provider.anonymise is not None:
            provider.anonymise(user)
