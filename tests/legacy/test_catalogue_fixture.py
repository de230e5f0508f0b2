"""The catalogue fixture says what its sources say: every item, in source order, verbatim."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import dateformat

from legacy.choices import Audience, ContextKind
from legacy.models import ContextNote, CrossReference, Publication, Recommendation
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


def test_the_three_things_nhscc_2019_says_to_retain_are_context_for_2022_recommendations():
    retain = ContextNote.objects.filter(kind=ContextKind.RETAIN).order_by("order")
    assert retain.count() == 3
    assert all(note.recommendations.filter(publication__slug="nhscc-2022").exists() for note in retain)


def test_cross_references_link_different_publications_and_give_a_reason():
    refs = CrossReference.objects.select_related("from_item", "to_item")
    assert refs.filter(from_item__code="NHSCC-2", to_item__code="KF-L1").exists()
    for ref in refs:
        assert ref.from_item.publication_id != ref.to_item.publication_id
        assert len(ref.reason) > 20


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
