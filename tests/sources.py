"""Access to the source documents in shared/, which the catalogue and register quote."""

import functools
import re
from pathlib import Path

import pytest
from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent / "shared"


def shared_file(relative: str) -> Path:
    """A file of shared/. Missing, it fails the test: a skip would let unchecked quotations pass unseen."""
    path = SHARED / relative
    if not path.exists():
        pytest.fail(
            f"{path} is missing, so the quotations cannot be checked against their sources: "
            "put the shared/ folder (seeds/ and data/) beside the project",
            pytrace=False,
        )
    return path


def normalise(text: str) -> str:
    """Compare like with like: drop the seeds' Markdown emphasis and links, fold white space."""
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = text.replace("\\(", "(").replace("\\)", ")").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


BULLET = re.compile(r"^\s*(?:[-•]|\d+\.)\s+")
# A sentence ends with . ? ! : or ; perhaps followed by closing quotes or brackets.
SENTENCE_END = re.compile(r"""[.?!:;]["'”’)\]]*$""")
ELLIPSES = ("…", "...")


def quotation(text: str) -> str:
    """A quoted passage as it should appear in its source: a closing ellipsis is ours, marking where we stop."""
    text = normalise(text)
    for ellipsis in ELLIPSES:
        text = text.removesuffix(ellipsis)
    return text.rstrip()


def _seed_lines(seed_file: str) -> list[tuple[str, bool]]:
    """Each non-blank line of a seed, normalised, and whether it is a list entry."""
    return _lines_of(shared_file(f"seeds/{seed_file}"))


@functools.cache
def _lines_of(path: Path) -> list[tuple[str, bool]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    # Bullet markers are layout, not text: a quoted list entry starts after them.
    entries = [(normalise(BULLET.sub("", line)), bool(BULLET.match(line))) for line in lines]
    return [(text, is_entry) for text, is_entry in entries if text]


def seed_text(seed_file: str) -> str:
    # Lines join with one space, so a sentence split by a page break (blank lines) reads as one.
    return " ".join(text for text, _ in _seed_lines(seed_file))


def list_entry_ends(seed_file: str) -> set[int]:
    """Offsets in seed_text() where a list entry ends: list entries often have no full stop.

    A line ends an entry when the next line starts another entry, or when it is an entry itself and the
    next line is not its continuation: a page break continues an entry in lower case ("the CCG in the
    future"), while a heading or paragraph after the list starts with a capital.
    """
    ends, offset = set(), 0
    lines = _seed_lines(seed_file)
    for (text, is_entry), (next_text, next_is_entry) in zip(lines, lines[1:], strict=False):
        offset += len(text)
        if next_is_entry or (is_entry and not next_text[0].islower()):
            ends.add(offset)
        offset += 1
    return ends


def ends_where_its_sentence_ends(quoted: str, seed_file: str) -> bool:
    """Whether a quotation stops where the source's sentence or list entry stops, or says it stops short (…)."""
    text = normalise(quoted)
    if text.endswith(ELLIPSES):
        return True
    source = seed_text(seed_file)
    end = source.index(text) + len(text)
    if end in list_entry_ends(seed_file):
        return True
    # The point in "3.4" ends no sentence: after a sentence end the source goes on with a space, or stops.
    return bool(SENTENCE_END.search(text)) and (end == len(source) or source[end] == " ")
