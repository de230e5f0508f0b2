"""The app's forms say, in NHS.UK style, what is wrong and what to enter; dates are day, month and year."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.forms import (
    ApiTokenForm,
    EvidenceForm,
    NHSUKDateField,
    NHSUKDateInput,
    PersonForm,
    ProgressRecordForm,
    WithdrawEvidenceForm,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def date_data(name, day="", month="", year=""):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def evidence_errors(**data):
    values = {"title": "Minutes", "kind": "board_paper", **date_data("refers_to", "14", "5", "2026"), **data}
    files = {"file": data.pop("file")} if "file" in data else {}
    values.pop("file", None)
    form = EvidenceForm(values, files)
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("parts", "message", "wrong"),
    [
        (("", "3", "2027"), "Target date must include a day", ("day",)),
        (("31", "", ""), "Target date must include a month and year", ("month", "year")),
        (("31", "2", "2027"), "Target date must be a real date", ("day",)),
        (("1", "13", "2027"), "Target date must be a real date", ("month",)),
        (("1", "March", "2027"), "Target date must be a real date", ("month",)),
        (("1", "3", "27"), "Year must include 4 numbers", ("year",)),
    ],
)
def test_a_date_error_says_which_part_is_wrong_and_marks_only_that_part(west_yorkshire, parts, message, wrong):
    data = {"status": "red", "version": 0, **date_data("target_date", *parts)}
    form = ProgressRecordForm(data, system=west_yorkshire)
    assert not form.is_valid()
    assert form.errors["target_date"] == [message]
    html = str(form["target_date"])
    for part in ("day", "month", "year"):
        box = html.split(f'id="id_target_date_{part}"')[0].rsplit("<input", 1)[1]
        assert ("nhsuk-input--error" in box) == (part in wrong), part
    assert form["target_date"].id_for_label == f"id_target_date_{wrong[0]}"


def test_a_date_is_three_numeric_boxes_filled_from_the_saved_date(west_yorkshire):
    form = ProgressRecordForm(initial={"target_date": datetime.date(2027, 3, 31)}, system=west_yorkshire)
    html = str(form["target_date"])
    assert 'type="date"' not in html
    assert html.count('inputmode="numeric"') == 3
    for part, value in (("day", "31"), ("month", "3"), ("year", "2027")):
        assert f'name="target_date_{part}" type="text" inputmode="numeric" value="{value}"' in html


def test_a_complete_date_is_cleaned_and_an_empty_optional_one_is_none(west_yorkshire):
    data = {"status": "red", "version": 0}
    form = ProgressRecordForm({**data, **date_data("target_date", "31", "03", "2027")}, system=west_yorkshire)
    assert form.is_valid() and form.cleaned_data["target_date"] == datetime.date(2027, 3, 31)
    form = ProgressRecordForm({**data, **date_data("target_date")}, system=west_yorkshire)
    assert form.is_valid() and form.cleaned_data["target_date"] is None


def test_one_iso_date_is_still_accepted_from_scripts():
    field, widget = NHSUKDateField(label="Date it refers to"), NHSUKDateInput()
    assert field.clean(widget.value_from_datadict({"d": "2026-05-14"}, {}, "d")) == datetime.date(2026, 5, 14)


def test_evidence_with_neither_link_nor_file_asks_for_one():
    assert evidence_errors()["url"] == ["Give a link or upload a file"]


def test_evidence_with_both_a_link_and_a_file_asks_for_one_only():
    errors = evidence_errors(url="https://example.nhs.uk/p", file=SimpleUploadedFile("p.pdf", PDF))
    assert errors["url"] == ["Give either a link or a file, not both"]


@pytest.mark.parametrize(
    ("form_class", "data", "field", "message"),
    [
        (EvidenceForm, {}, "title", "Enter a title"),
        (EvidenceForm, {}, "kind", "Select the kind of evidence"),
        (EvidenceForm, {}, "refers_to", "Enter the date the evidence refers to"),
        (WithdrawEvidenceForm, {}, "reason", "Enter why you are withdrawing this evidence"),
        (ApiTokenForm, {}, "name", "Enter what the token is for"),
    ],
)
def test_every_required_field_says_what_to_enter(form_class, data, field, message):
    form = form_class(data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_person_needs_a_name_job_title_and_a_proper_email(west_yorkshire):
    form = PersonForm({"email": "not-an-email"}, system=west_yorkshire)
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Enter their full name"],
        "job_title": ["Enter their job title"],
        "email": ["Enter an email address in the correct format, like name@example.nhs.uk"],
    }


def test_a_record_needs_a_status(west_yorkshire):
    form = ProgressRecordForm({"version": 0}, system=west_yorkshire)
    assert not form.is_valid() and form.errors["status"] == ["Select a status"]


def test_too_long_text_is_an_error_with_the_counts_not_a_cut(west_yorkshire):
    form = ProgressRecordForm({"status": "red", "version": 0, "summary": "y" * 10_000}, system=west_yorkshire)
    assert not form.is_valid()
    assert form.errors["summary"] == ["Summary must be 5,000 characters or fewer; you entered 10,000"]
    assert "maxlength" not in str(form["summary"])
    assert "maxlength" not in str(EvidenceForm()["title"])


def test_the_summary_is_an_nhsuk_character_count(west_yorkshire):
    form = ProgressRecordForm(system=west_yorkshire)
    html = str(form["summary"])
    assert "nhsuk-js-character-count" in html
    # Screen readers hear the hint (what is published) and how many characters are left.
    assert 'aria-describedby="id_summary_helptext id_summary-info"' in html
