"""The people an ICS names as owners: corrected and retired, never deleted, because records and their history
name them. (Here rather than in services.py while that module is being reshaped; each write is one transaction.)"""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import Person


def _locked(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def person_update(*, person: Person, name: str, job_title: str, email: str) -> Person:
    """Correct a person's name, job title or email. Records show the new details; history rows keep the names
    they were written with."""
    person = _locked(person)
    person.name, person.job_title, person.email = name.strip(), job_title.strip(), email.strip().lower()
    person.full_clean()
    person.save(update_fields=["name", "job_title", "email"])
    return person


@transaction.atomic
def person_retire(*, person: Person, on: datetime.date | None = None) -> Person:
    """Stop offering a person for new assignments. Records that name them keep them; so does the history."""
    person = _locked(person)
    if person.retired_on is None:
        person.retired_on = on or timezone.localdate()
        person.save(update_fields=["retired_on"])
    return person


@transaction.atomic
def person_reinstate(*, person: Person) -> Person:
    """Undo a retirement: offer the person for assignments again."""
    person = _locked(person)
    if person.retired_on is not None:
        person.retired_on = None
        person.save(update_fields=["retired_on"])
    return person
