"""Test set-up shared by the whole suite: reference data once per session, and the personas."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The catalogue and register are read-only reference data: load them once, like production does.
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
