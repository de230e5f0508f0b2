"""Small builders for tracker rows, going through the services as the app does."""

from legacy.models import Recommendation
from tracker import services
from tracker.models import IntegratedCareSystem, Person, ProgressRecord


def person(system: IntegratedCareSystem, name="Priya Shah", job_title="Director of Primary Care", email=None):
    email = email or f"{name.split()[0].lower()}@{system.ods_code.lower()}.example.nhs.uk"
    return Person.objects.create(system=system, name=name, job_title=job_title, email=email)


def update(system, code, user, *, status="amber", reason="Quarterly review", **fields):
    """Update a record as an editor would, from whatever version it is at now."""
    recommendation = Recommendation.objects.get(code=code)
    record = ProgressRecord.objects.get(system=system, recommendation=recommendation)
    values = {
        "accountable_owner": record.accountable_owner,
        "delivery_lead": record.delivery_lead,
        "target_date": record.target_date,
        "summary": record.summary,
    }
    values.update(fields)
    return services.record_update(
        system=system,
        recommendation=recommendation,
        user=user,
        expected_version=record.version,
        status=status,
        reason=reason,
        **values,
    )


def record(ods_code: str, code: str) -> ProgressRecord:
    return ProgressRecord.objects.get(system__ods_code=ods_code, recommendation__code=code)


def is_untouched(ods_code: str, code: str) -> bool:
    """Still as loaded: not assessed, never written, no history."""
    current = record(ods_code, code)
    return (current.status, current.version, current.history.exists()) == ("not_assessed", 0, False)
