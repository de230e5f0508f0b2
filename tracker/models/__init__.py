from .notifications import Notification, NotificationPreference, OwnerOptOut
from .open_data import PublishedDataset, PublishedFile
from .progress import Evidence, Person, ProgressChange, ProgressRecord
from .register import IntegratedCareSystem, Membership, Region, Succession
from .returns import AssuranceOpinion, Challenge, Position, QuarterlyReturn, ReturnEvent, SignOff
from .teams import Invitation, MembershipEvent, SignOnIdentity, UserSession
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AssuranceOpinion",
    "Challenge",
    "Evidence",
    "IntegratedCareSystem",
    "Invitation",
    "Membership",
    "MembershipEvent",
    "Notification",
    "NotificationPreference",
    "OwnerOptOut",
    "Person",
    "Position",
    "PublishedDataset",
    "PublishedFile",
    "ProgressChange",
    "ProgressRecord",
    "QuarterlyReturn",
    "Region",
    "ReturnEvent",
    "SignOff",
    "Succession",
    "SignOnIdentity",
    "UserSession",
]
