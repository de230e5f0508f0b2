from .progress import Evidence, Person, ProgressChange, ProgressRecord
from .register import IntegratedCareSystem, Membership, Region, Succession
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Evidence",
    "IntegratedCareSystem",
    "Membership",
    "Person",
    "ProgressChange",
    "ProgressRecord",
    "Region",
    "Succession",
]
