"""The catalogue fixture says what its sources say: every item, in source order, verbatim."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import dateformat

from legacy.choices import Audience, ContextKind
from legacy.models import ContextNote, CrossReference, Publication, Recommendation, Theme
from tests.sources import ends_where_its_sentence_ends, normalise, quotation, seed_text

pytestmark = pytest.mark.django_db


def codes(prefix):
    return list(Recommendation.objects.filter(code__startswith=prefix).order_by("order").values_list("code", flat=True))


def test_it_has_the_11_nhscc_recommendations_in_source_order():
    assert codes("NHSCC-") == [f"NHSCC-{n}" for n in range(1, 12)]


def test_it_groups_the_nhscc_recommendations_under_three_themes_of_3_4_and_4():
    nhscc = Publication.objects.get(slug="nhscc-2022")
    assert [(t.title, t.items.count()) for t in nhscc.themes.order_by("order")] == [
        ("Empowering clinical leadership and engagement", 3),
        ("Driving quality improvement", 4),
        ("Facilitating place-based integration", 4),
    ]


def test_it_has_the_7_kings_fund_lessons_and_13_national_recommendations():
    assert codes("KF-L") == [f"KF-L{n}" for n in range(1, 8)]
    assert codes("KF-N") == [f"KF-N{n}" for n in range(1, 14)]


def test_only_the_advice_for_ics_leaders_and_commissioners_is_tracked_per_ics():
    tracked = set(Recommendation.objects.trackable().values_list("code", flat=True))
    assert tracked == {f"NHSCC-{n}" for n in range(1, 12)} | {f"KF-L{n}" for n in range(1, 8)}
    assert set(Recommendation.objects.filter(code__startswith="KF-N").values_list("audience", flat=True)) == {
        Audience.NATIONAL_BODIES
    }


@pytest.mark.parametrize(
    "code",
    [f"NHSCC-{n}" for n in range(1, 12)] + [f"KF-L{n}" for n in range(1, 8)] + [f"KF-N{n}" for n in range(1, 14)],
)
def test_every_item_quotes_its_source_verbatim(code):
    item = Recommendation.objects.select_related("publication").get(code=code)
    assert quotation(item.text) in seed_text(item.publication.seed_file)


def test_the_items_follow_the_order_of_the_source():
    for prefix in ("NHSCC-", "KF-L", "KF-N"):
        items = Recommendation.objects.filter(code__startswith=prefix).select_related("publication").order_by("order")
        source = seed_text(items[0].publication.seed_file)
        positions = [source.index(quotation(item.text)) for item in items]
        assert positions == sorted(positions), prefix


def test_every_context_note_quotes_its_source_verbatim_paragraph_by_paragraph():
    notes = ContextNote.objects.select_related("publication")
    assert notes.count() > 0
    for note in notes:
        source = seed_text(note.publication.seed_file)
        for paragraph in note.paragraphs():
            assert quotation(paragraph) in source, note.code


def quoted_paragraphs():
    for item in Recommendation.objects.select_related("publication"):
        yield item.code, item.text, item.publication.seed_file
    for note in ContextNote.objects.select_related("publication"):
        for paragraph in note.paragraphs():
            yield note.code, paragraph, note.publication.seed_file


def test_every_quotation_ends_where_its_sentence_or_list_entry_ends_in_the_source():
    # Page breaks in the seeds once cut quotations off mid-sentence ("...interested in getting more involved in").
    # A quotation may stop short of its sentence only if it says so with an ellipsis.
    cut_short = [
        f"{code}: ...{normalise(text)[-40:]}"
        for code, text, seed_file in quoted_paragraphs()
        if not ends_where_its_sentence_ends(text, seed_file)
    ]
    assert not cut_short, "\n".join(cut_short)


def test_each_lesson_carries_its_strategies_for_improvement_and_considerations_for_the_future():
    for lesson in Recommendation.objects.filter(code__startswith="KF-L"):
        kinds = set(lesson.context_notes.values_list("kind", flat=True))
        assert {ContextKind.STRATEGY, ContextKind.CONSIDERATION} <= kinds, lesson.code


def test_the_three_things_nhscc_2019_says_to_retain_are_linked_only_to_2022_recommendations_that_ask_for_them():
    retain = ContextNote.objects.filter(kind=ContextKind.RETAIN).order_by("order")
    links = {note.code: sorted(note.recommendations.values_list("code", flat=True)) for note in retain}
    # No 2022 recommendation asks for the 'stewards' role (an unbiased view, without vested interest):
    # it is shown on the 2019 report's page and linked to none.
    assert links == {
        "NHSCC19-R1": ["NHSCC-11", "NHSCC-8"],
        "NHSCC19-R2": [],
        "NHSCC19-R3": ["NHSCC-1", "NHSCC-2"],
    }


@pytest.mark.parametrize("code", [f"NHSCC-{n}" for n in range(1, 12)])
def test_each_nhscc_recommendation_carries_the_2022_reports_own_supporting_text(code):
    notes = ContextNote.objects.filter(recommendations__code=code, publication__slug="nhscc-2022")
    assert notes.filter(kind=ContextKind.SUPPORTING_TEXT).exists()
    for note in notes:
        assert note.section, note.code


def test_the_2022_reports_case_studies_are_context_for_the_recommendations_they_illustrate():
    case_studies = ContextNote.objects.filter(publication__slug="nhscc-2022", kind=ContextKind.CASE_STUDY)
    assert {note.code: sorted(note.recommendations.values_list("code", flat=True)) for note in case_studies} == {
        "NHSCC22-CS1": ["NHSCC-4"],
        "NHSCC22-CS2": ["NHSCC-6"],
        "NHSCC22-CS3": ["NHSCC-11"],
        "NHSCC22-CS4": ["NHSCC-11"],
        "NHSCC22-CS5": ["NHSCC-9"],
    }


def test_a_theme_title_is_the_sources_own_heading_unless_it_is_marked_as_our_summary():
    for theme in Theme.objects.select_related("publication"):
        in_source = theme.title in seed_text(theme.publication.seed_file)
        assert in_source is not theme.title_is_paraphrase, theme.slug
    ours = Theme.objects.get(slug="kf-supporting-ccgs")
    assert str(ours) == "Supporting CCGs to build on their progress (our summary)"


def test_cross_references_link_different_publications_and_give_a_reason():
    refs = CrossReference.objects.select_related("from_item", "to_item")
    assert refs.filter(from_item__code="NHSCC-2", to_item__code="KF-L1").exists()
    for ref in refs:
        assert ref.from_item.publication_id != ref.to_item.publication_id
        assert len(ref.reason) > 20


@pytest.mark.parametrize(
    ("pair", "overclaim"),
    [
        # The King's Fund reports that peer review "is seen as" more impactful: it found nothing of the kind.
        (("NHSCC-4", "KF-L4"), "found"),
        # Nor did it find that devolving decisions secures engagement: it cites research that showed it.
        (("NHSCC-8", "KF-L1"), "found"),
        # KF-L4 asks for "new provider models"; "clinically led" is NHSCC's phrase alone.
        (("NHSCC-6", "KF-L4"), "new, clinically led models"),
        # NHSCC-11 says nothing of local identity or of arrangements evolving locally.
        (("NHSCC-11", "KF-L6"), "Both ask for collaboration across organisations while keeping local ties"),
        (("NHSCC-11", "KF-N10"), "evolve locally"),
    ],
)
def test_a_cross_reference_reason_claims_no_more_than_its_sources_say(pair, overclaim):
    reason = CrossReference.objects.get(from_item__code=pair[0], to_item__code=pair[1]).reason
    assert overclaim not in reason


def test_the_peer_review_reason_says_what_the_king_s_fund_says_it_is_seen_as():
    reason = CrossReference.objects.get(from_item__code="NHSCC-4", to_item__code="KF-L4").reason
    said = "peer review is seen as a more impactful way of changing clinical practice than top-down targets"
    assert said in reason
    assert said in ContextNote.objects.get(code="KF-L4-S3").text.lower()


@pytest.mark.parametrize(
    ("slug", "precision", "shown"),
    [("nhscc-2022", "day", "3 March 2022"), ("kf-2016", "month", "July 2016"), ("nhscc-2019", "year", "2019")],
)
def test_each_publication_is_dated_only_as_precisely_as_its_source(slug, precision, shown):
    publication = Publication.objects.get(slug=slug)
    publication.full_clean()
    assert (publication.date_precision, publication.date_display()) == (precision, shown)
    source = seed_text(publication.seed_file)
    assert shown in source
    finer = {"month": "j F Y", "year": "F Y"}.get(precision)
    if finer:
        # The next finer date is nowhere in the source: showing it would invent a day or a month.
        assert dateformat.format(publication.published_on, finer) not in source


def test_a_month_precise_date_must_be_the_first_of_its_month():
    publication = Publication(slug="x", title="x", publisher="x", seed_file="x", date_precision="month")
    publication.published_on = datetime.date(2016, 7, 15)
    with pytest.raises(ValidationError, match="2016-07-01"):
        publication.full_clean()
