import json
import shutil

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.base import DeserializationError

from legacy.models import ContextNote, CrossReference, Publication, Recommendation, Theme
from tracker.models import IntegratedCareSystem, Region, Succession

pytestmark = pytest.mark.django_db
MODELS = [Publication, Theme, Recommendation, ContextNote, CrossReference, Region, IntegratedCareSystem, Succession]


def snapshot():
    return {model.__name__: serializers.serialize("json", model.objects.order_by("pk")) for model in MODELS}


def test_running_it_again_changes_nothing():
    before = snapshot()
    call_command("load_reference_data", verbosity=0)
    assert snapshot() == before


def test_an_edited_fixture_text_updates_the_row_in_place(tmp_path):
    for name in ("catalogue.json", "register.json"):
        shutil.copy(settings.BASE_DIR / "fixtures" / name, tmp_path / name)
    catalogue = json.loads((tmp_path / "catalogue.json").read_text())
    entry = next(o for o in catalogue if o["model"] == "legacy.recommendation" and o["fields"]["code"] == "NHSCC-4")
    entry["fields"]["title"] = "Embrace peer learning (corrected title)"
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))
    pk_before = Recommendation.objects.get(code="NHSCC-4").pk
    count_before = Recommendation.objects.count()

    call_command("load_reference_data", fixture_dir=tmp_path, verbosity=0)

    item = Recommendation.objects.get(code="NHSCC-4")
    assert (item.pk, item.title) == (pk_before, "Embrace peer learning (corrected title)")
    assert Recommendation.objects.count() == count_before


def test_a_broken_fixture_loads_nothing(tmp_path):
    shutil.copy(settings.BASE_DIR / "fixtures" / "catalogue.json", tmp_path / "catalogue.json")
    (tmp_path / "register.json").write_text('[{"model": "tracker.nosuchmodel", "fields": {}}]')
    catalogue = json.loads((tmp_path / "catalogue.json").read_text())
    next(o for o in catalogue if o["fields"].get("code") == "NHSCC-1")["fields"]["title"] = "Should not stick"
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))

    with pytest.raises(DeserializationError, match="nosuchmodel"):
        call_command("load_reference_data", fixture_dir=tmp_path, verbosity=0)

    assert Recommendation.objects.get(code="NHSCC-1").title != "Should not stick"


def test_reloading_removes_a_context_note_link_the_fixture_no_longer_has():
    # As in a database loaded before the 'stewards' note was unlinked from NHSCC-7.
    stewards = ContextNote.objects.get(code="NHSCC19-R2")
    stewards.recommendations.add(Recommendation.objects.get(code="NHSCC-7"))

    call_command("load_reference_data", verbosity=0)

    assert list(stewards.recommendations.all()) == []


def test_an_edited_fixture_relinks_a_context_note_in_place(tmp_path):
    for name in ("catalogue.json", "register.json"):
        shutil.copy(settings.BASE_DIR / "fixtures" / name, tmp_path / name)
    catalogue = json.loads((tmp_path / "catalogue.json").read_text())
    notes = {o["fields"]["code"]: o["fields"] for o in catalogue if o["model"] == "legacy.contextnote"}
    notes["NHSCC19-R1"]["recommendations"] = [["NHSCC-8"]]  # one link dropped
    notes["NHSCC19-R2"]["recommendations"] = [["NHSCC-4"], ["NHSCC-10"]]  # links added
    notes["NHSCC22-T17"]["recommendations"] = []  # every link dropped
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))
    pks_before = dict(ContextNote.objects.values_list("code", "pk"))

    call_command("load_reference_data", fixture_dir=tmp_path, verbosity=0)

    def linked(code):
        return sorted(ContextNote.objects.get(code=code).recommendations.values_list("code", flat=True))

    assert (linked("NHSCC19-R1"), linked("NHSCC19-R2"), linked("NHSCC22-T17")) == (
        ["NHSCC-8"],
        ["NHSCC-10", "NHSCC-4"],
        [],
    )
    assert dict(ContextNote.objects.values_list("code", "pk")) == pks_before
