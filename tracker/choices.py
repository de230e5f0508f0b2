from django.db import models


class Role(models.TextChoices):
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    NATIONAL = "national", "National team"


class Status(models.TextChoices):
    """BRAG, as NHS programme trackers use it. The word is always shown with the colour."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]

    @property
    def tag_colour(self) -> str:
        """The nhsuk-tag modifier for this status."""
        return {"not_assessed": "grey", "amber": "orange"}.get(self.value, self.value)


STATUS_MEANINGS = {
    Status.NOT_ASSESSED: "not yet assessed",
    Status.RED: "not started or off track",
    Status.AMBER: "in progress, with risks",
    Status.GREEN: "on track",
    Status.BLUE: "complete and embedded",
}


# Where peer learning looks: the systems that rate an item green or blue, and their evidence.
PEER_LEARNING_STATUSES = (Status.GREEN, Status.BLUE)


class EvidenceKind(models.TextChoices):
    BOARD_PAPER = "board_paper", "Board paper"
    DOCUMENT = "document", "Document"
    LINK = "link", "Link"
    METRIC = "metric", "Metric"
    CASE_STUDY = "case_study", "Case study"
    OTHER = "other", "Other"


class ChangeKind(models.TextChoices):
    UPDATED = "updated", "Record updated"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    EVIDENCE_WITHDRAWN = "evidence_withdrawn", "Evidence withdrawn"
    COPIED = "copied", "Started from a predecessor's position"
