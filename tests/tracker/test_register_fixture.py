"""The ICS register says what the ICB register in shared/data says."""

import csv
import datetime

import pytest

from tests.sources import shared_file
from tracker.models import IntegratedCareSystem, Succession

pytestmark = pytest.mark.django_db


def rows(name):
    with shared_file(f"data/{name}").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def as_registered(systems):
    return {(s.ods_code, s.name, s.short_name, s.region.name) for s in systems.select_related("region")}


def test_the_42_icbs_of_july_2022_are_registered_exactly_as_given():
    expected = {(r["ods_code"], r["name"], r["short_name"], r["region"]) for r in rows("icbs_2022.csv")}
    assert len(expected) == 42
    assert as_registered(IntegratedCareSystem.objects.active_on(datetime.date(2022, 7, 1))) == expected


def test_the_36_icbs_of_april_2026_are_registered_exactly_as_given():
    expected = {(r["ods_code"], r["name"], r["short_name"], r["region"]) for r in rows("icbs_2026_04.csv")}
    assert len(expected) == 36
    assert as_registered(IntegratedCareSystem.objects.active_on(datetime.date(2026, 4, 1))) == expected


def test_the_12_dissolved_icbs_end_on_31_march_2026():
    dissolved = IntegratedCareSystem.objects.filter(dissolved_on__isnull=False)
    assert dissolved.count() == 12
    assert set(dissolved.values_list("dissolved_on", flat=True)) == {datetime.date(2026, 3, 31)}
    assert not IntegratedCareSystem.objects.active_on(datetime.date(2026, 4, 1)).filter(pk__in=dissolved).exists()


def test_each_new_icb_names_its_predecessors_and_which_it_took_only_part_of():
    for row in rows("icbs_2026_04.csv"):
        expected = {(p.removesuffix("(part)"), p.endswith("(part)")) for p in row["predecessors"].split(";") if p}
        actual = set(
            Succession.objects.filter(successor__ods_code=row["ods_code"]).values_list(
                "predecessor__ods_code", "partial"
            )
        )
        if row["status"].startswith("new"):
            assert actual == expected, row["ods_code"]


def test_hampshire_and_isle_of_wight_continues_and_takes_part_of_frimley():
    assert Succession.objects.filter(predecessor__ods_code="QNQ", successor__ods_code="QRL", partial=True).exists()
    assert IntegratedCareSystem.objects.get(ods_code="QRL").dissolved_on is None
