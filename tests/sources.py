"""Access to the source documents in shared/, which the catalogue and register quote."""

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


def seed_text(seed_file: str) -> str:
    lines = shared_file(f"seeds/{seed_file}").read_text(encoding="utf-8").splitlines()
    # Bullet markers are layout, not text: a quoted list entry starts after them.
    return normalise(" ".join(re.sub(r"^\s*(?:[-•]|\d+\.)\s+", "", line) for line in lines))
