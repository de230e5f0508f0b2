from django.db import models


class Role(models.TextChoices):
    """What a membership lets a user do. ICS roles belong to one system; a reviewer to one region."""

    APPROVER = "approver", "Approver"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    REVIEWER = "reviewer", "Regional reviewer"
    NATIONAL = "national", "National team"


# A role as a sentence says it: "You are now an editor of West Yorkshire".
ROLE_PHRASES = {
    Role.APPROVER: "an approver",
    Role.EDITOR: "an editor",
    Role.VIEWER: "a viewer",
    Role.REVIEWER: "a regional reviewer",
    Role.NATIONAL: "a member of the national team",
}


ICS_ROLES = (Role.APPROVER, Role.EDITOR, Role.VIEWER)
# An approver is an editor who may also sign off the ICS's return.
EDITING_ROLES = (Role.APPROVER, Role.EDITOR)


class Status(models.TextChoices):
    """BRAG, as NHS programme trackers use it. The word is always shown with the colour."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"
    # Not BRAG: the item does not apply to this system, for a reason it gives. Counted apart from the others.
    NOT_APPLICABLE = "not_applicable", "Not applicable"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]

    @property
    def tag_colour(self) -> str:
        """The nhsuk-tag modifier for this status."""
        return {"not_assessed": "grey", "amber": "orange", "not_applicable": "white"}.get(self.value, self.value)


STATUS_MEANINGS = {
    Status.NOT_ASSESSED: "not yet assessed",
    Status.RED: "not started or off track",
    Status.AMBER: "in progress, with risks",
    Status.GREEN: "on track",
    Status.BLUE: "complete and embedded",
    Status.NOT_APPLICABLE: "does not apply to this system, for the reason given",
}
# The statuses of an assessment on the BRAG scale: what proportions are of (not assessed and not applicable are apart).
BRAG_STATUSES = (Status.RED, Status.AMBER, Status.GREEN, Status.BLUE)


# The statuses whose reason a board report gives beside the item: why it is off track, at risk, or does not apply.
REPORTED_REASON_STATUSES = (Status.RED, Status.AMBER, Status.NOT_APPLICABLE)

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
    RECONFIRMED = "reconfirmed", "No change this period"


class ReturnState(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    SIGNED_OFF = "signed_off", "Signed off"


class ReturnEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn to open"
    SIGNED_OFF = "signed_off", "Signed off"
    REOPENED = "reopened", "Reopened by the national team"
    ASSURED = "assured", "Assurance given"
    CHALLENGED = "challenged", "Item challenged"
    ANSWERED = "answered", "Challenge answered"


class Assurance(models.TextChoices):
    """The NHS internal-audit scale for an assurance opinion."""

    SUBSTANTIAL = "substantial", "Substantial"
    REASONABLE = "reasonable", "Reasonable"
    LIMITED = "limited", "Limited"
    NONE = "none", "No assurance"


class PositionSource(models.TextChoices):
    """Where a period's figures for a system come from."""

    SIGNED_OFF = "signed_off", "Signed off"
    HISTORY = "history", "From history, not signed off"


class MembershipAction(models.TextChoices):
    """What happened to a team: the audit history of invitations and memberships."""

    INVITED = "invited", "Invited"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    JOINED = "joined", "Joined"
    ROLE_CHANGED = "role_changed", "Role changed"
    REMOVED = "removed", "Removed"


# The roles an ICS approver may give in their own team.
INVITABLE_ICS_ROLES = (Role.VIEWER, Role.EDITOR, Role.APPROVER)


class NotificationKind(models.TextChoices):
    """Why a notification was sent. Each user may turn off any kind but invitations."""

    PERIOD_OPENED = "period_opened", "A return period opens"
    RETURN_DUE = "return_due", "A return is due in 14 or in 3 days"
    RETURN_LATE = "return_late", "A return is late"
    TARGET_SOON = "target_soon", "A target date is within 14 days"
    TARGET_PASSED = "target_passed", "A target date has passed"
    SUBMITTED = "submitted", "A return is submitted for sign-off"
    SIGNED_OFF = "signed_off", "A return is signed off"
    CHALLENGE_RAISED = "challenge_raised", "An item is challenged"
    CHALLENGE_ANSWERED = "challenge_answered", "A challenge is answered"
    INVITATION = "invitation", "An invitation to the tracker"


# An invitation is how someone gets an account at all: it cannot be turned off.
MANDATORY_NOTIFICATION_KINDS = (NotificationKind.INVITATION,)
# Reminders about an item's target date go to its owners, who need not have an account.
OWNER_REMINDER_KINDS = (NotificationKind.TARGET_SOON, NotificationKind.TARGET_PASSED)
