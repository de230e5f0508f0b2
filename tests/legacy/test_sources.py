"""The checks against shared/ fail, rather than skip, when the source documents are not there."""

import pytest

from tests import sources


def test_a_missing_source_document_fails_the_test_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(sources, "SHARED", tmp_path / "no-shared-here")

    try:
        with pytest.raises(pytest.fail.Exception, match="is missing, so the quotations cannot be checked"):
            sources.seed_text("000_63d4d875f4ed5e41.txt")
    except pytest.skip.Exception:
        pytest.fail("a missing source document skipped the check instead of failing it")


def test_a_present_source_document_is_read():
    assert sources.shared_file("seeds/000_63d4d875f4ed5e41.txt").is_file()


KF_2016 = "003_1c7ed4bf2126405c.txt"


@pytest.mark.parametrize(
    ("quoted", "ends"),
    [
        # Cut at a page break: the sentence goes on, on the next page.
        ("would be interested in getting more involved in", False),
        ("would be interested in getting more involved in the CCG in the future", False),
        ("converted into active participation (Holder et al 2016).", True),
        # A point inside a number is no sentence end.
        ("lay members are contracted for 3.", False),
        # A list entry ends where the next begins, or where the list ends, full stop or not.
        ("engage with all GPs in a local area by embedding clear and open lines of communication", False),
        ("for example through regular face-to-face contact with practices", True),
        ("commissioners using the lead provider framework: www.england.nhs.uk/lpf/sup-comms/", True),
        # An ellipsis says the quotation stops short on purpose.
        ("would be interested in getting more involved in …", True),
    ],
)
def test_a_quotation_ends_where_its_sentence_or_list_entry_ends(quoted, ends):
    assert sources.ends_where_its_sentence_ends(quoted, KF_2016) is ends


def test_an_ellipsis_closing_a_quotation_is_ours_and_not_looked_for_in_the_source():
    assert sources.quotation("but work for 5.7 …") in sources.seed_text(KF_2016)
