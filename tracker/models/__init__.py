from .progress import Evidence, Person, ProgressChange, ProgressRecord
from .register import IntegratedCareSystem, Membership, Region, Succession

__all__ = [
    "Evidence",
    "IntegratedCareSystem",
    "Membership",
    "Person",
    "ProgressChange",
    "ProgressRecord",
    "Region",
    "Succession",
]
