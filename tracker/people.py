"""The people an ICS names as owners: corrected and retired, never deleted, because records and their history
name them. (Here rather than in services.py while that module is being reshaped; each write is one transaction.)"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import IntegratedCareSystem, Person


def member_with_email(system: IntegratedCareSystem, email: str):
    """The account of the member of `system` with this email, if any: a person named as an owner is linked to it."""
    if not email:
        return None
    return get_user_model().objects.filter(membership__system=system, email__iexact=email).first()


@transaction.atomic
def person_add(*, system: IntegratedCareSystem, name: str, job_title: str, email: str) -> Person:
    """Name a new person the system can offer as an owner, linked to their account if they are a member."""
    person = Person(system=system, name=name.strip(), job_title=job_title.strip(), email=email.strip().lower())
    person.user = member_with_email(system, person.email)
    person.full_clean()
    person.save()
    return person


def _locked(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def person_update(*, person: Person, name: str, job_title: str, email: str) -> Person:
    """Correct a person's name, job title or email. Records show the new details; history rows keep the names
    they were written with."""
    person = _locked(person)
    person.name, person.job_title, person.email = name.strip(), job_title.strip(), email.strip().lower()
    person.user = member_with_email(person.system, person.email)
    person.full_clean()
    person.save(update_fields=["name", "job_title", "email", "user"])
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
