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
