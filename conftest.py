"""Test set-up shared by the whole suite: reference data once per session, and the personas."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The catalogue and register are read-only reference data: load them once, like production does.
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


PASSWORD = "correct-horse-battery-staple"


def make_user(username, role=None, ods_code=None, region=None):
    from django.contrib.auth import get_user_model

    from tracker.models import IntegratedCareSystem, Membership, Region

    first, last = username.capitalize(), "Tester"
    user = get_user_model().objects.create_user(
        username, f"{username}@example.invalid", PASSWORD, first_name=first, last_name=last
    )
    if role:
        system = IntegratedCareSystem.objects.get(ods_code=ods_code) if ods_code else None
        region = Region.objects.get(code=region) if region else None
        Membership.objects.create(user=user, role=role, system=system, region=region)
    return user


# Personas: alice edits West Yorkshire (QWO), april approves its returns, bob views it, charlie edits Greater
# Manchester (an outsider to QWO), rita reviews West Yorkshire's region and ray another, nadia is the national team.
@pytest.fixture
def alice(db):
    return make_user("alice", "editor", "QWO")


@pytest.fixture
def bob(db):
    return make_user("bob", "viewer", "QWO")


@pytest.fixture
def charlie(db):
    return make_user("charlie", "editor", "QOP")


@pytest.fixture
def nadia(db):
    return make_user("nadia", "national")


@pytest.fixture
def april(db):
    """West Yorkshire's approver: signs off its returns."""
    return make_user("april", "approver", "QWO")


@pytest.fixture
def rita(db):
    """The regional reviewer of North East and Yorkshire (Y63), West Yorkshire's region."""
    return make_user("rita", "reviewer", region="Y63")


@pytest.fixture
def ray(db):
    """The regional reviewer of London (Y56): another region."""
    return make_user("ray", "reviewer", region="Y56")


@pytest.fixture
def west_yorkshire(db):
    from tracker.models import IntegratedCareSystem

    return IntegratedCareSystem.objects.get(ods_code="QWO")


@pytest.fixture
def personas(alice, bob, charlie, nadia):
    return {"editor": alice, "viewer": bob, "outsider": charlie, "national": nadia}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, tmp_path):
    # Files that tests upload never land in the project's own media/ folder.
    settings.MEDIA_ROOT = tmp_path / "media"


def records_without_their_history():
    """Records whose version is not their latest history row's: a change stored without its history."""
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from tracker.models import ProgressChange, ProgressRecord

    latest = ProgressChange.objects.filter(record=OuterRef("pk")).order_by("-record_version").values("record_version")
    return list(
        ProgressRecord.objects.annotate(history_version=Coalesce(Subquery(latest[:1]), 0))
        .exclude(history_version=F("version"))
        .values_list("system__ods_code", "recommendation__code", "version", "history_version")
    )


@pytest.fixture(autouse=True)
def every_record_change_has_its_history(request):
    """After every test that used the database: no record changed without the history row that says so."""
    uses_database = {"db", "transactional_db"} & set(request.fixturenames)
    if uses_database:
        request.getfixturevalue(uses_database.pop())  # set up first, so its rollback comes after this check
    yield
    if uses_database:
        assert records_without_their_history() == [], "a record changed without its history row"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run `action` and then what its commit would run (mail delivery): a test's own transaction never commits."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
