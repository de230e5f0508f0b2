import datetime

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from legacy.models import Recommendation
from tracker.choices import PositionSource, Status
from tracker.models import Evidence, IntegratedCareSystem, Membership, Person, ProgressChange, Region, Succession
from tracker.models.progress import is_overdue, is_stale, stale_before
from tracker.selectors import PROGRESS_PERSON_FIELDS
from tracker.uploads import ALLOWED, MAX_UPLOAD_BYTES


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class SuccessionSerializer(serializers.ModelSerializer):
    predecessor = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)

    class Meta:
        model = Succession
        fields = ["predecessor", "successor", "partial", "effective_on"]


class IntegratedCareSystemSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    predecessors = SuccessionSerializer(source="succeeded_from", many=True, read_only=True)
    successors = SuccessionSerializer(source="succeeded_by", many=True, read_only=True)

    class Meta:
        model = IntegratedCareSystem
        fields = [
            "ods_code",
            "name",
            "short_name",
            "region",
            "region_name",
            "established_on",
            "dissolved_on",
            "predecessors",
            "successors",
        ]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = list(PROGRESS_PERSON_FIELDS)


def etag_for(pk: int, version: int) -> str:
    return f'"{pk}-v{version}"'


class ProgressRecordSerializer(serializers.Serializer):
    """A progress record, from one row of `selectors.progress_rows()`. `to_representation` is the only way a record
    becomes JSON or CSV; the fields below are what it gives, declared for the schema and the CSV header."""

    id = serializers.IntegerField()
    system = serializers.CharField(help_text="ODS code of the system.")
    recommendation = serializers.CharField(help_text="Code of the catalogue item, e.g. NHSCC-4.")
    status = serializers.ChoiceField(choices=Status.choices)
    accountable_owner = PersonSerializer(allow_null=True)
    delivery_lead = PersonSerializer(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    original_target_date = serializers.DateField(allow_null=True, help_text="The first target set.")
    summary = serializers.CharField()
    overdue = serializers.BooleanField(help_text="Target date passed and not blue.")
    stale = serializers.BooleanField(help_text="No update in this period or the one before.")
    last_updated = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    etag = serializers.CharField(help_text="Send this as If-Match when you PATCH the record.")
    is_demo = serializers.BooleanField(help_text="Invented demonstration data, not a real return.")
    as_at_period = serializers.CharField(allow_null=True, help_text="The period asked for with ?as_at_period=.")
    period_status = serializers.ChoiceField(
        choices=Status.choices, allow_null=True, help_text="Status at the end of as_at_period, if asked for."
    )
    position_source = serializers.ChoiceField(
        choices=PositionSource.choices,
        allow_null=True,
        help_text="Whether period_status is the signed-off return's frozen position or from history.",
    )

    def to_representation(self, row: dict):
        today, cutoff, tz, period_code = self._request_constants
        target_date, original_target_date = row["target_date"], row["original_target_date"]
        updated_at = row["updated_at"]
        return {
            "id": row["id"],
            "system": row["system__ods_code"],
            "recommendation": row["recommendation__code"],
            "status": row["status"],
            "accountable_owner": _person(row, "accountable_owner"),
            "delivery_lead": _person(row, "delivery_lead"),
            "target_date": target_date.isoformat() if target_date else None,
            "original_target_date": original_target_date.isoformat() if original_target_date else None,
            "summary": row["summary"],
            "overdue": is_overdue(target_date, row["status"], today),
            "stale": is_stale(updated_at, cutoff),
            "last_updated": _iso_datetime(updated_at, tz) if updated_at else None,
            "version": row["version"],
            "etag": etag_for(row["id"], row["version"]),
            "is_demo": row["is_demo"],
            "as_at_period": period_code,
            "period_status": row.get("period_status"),
            "position_source": row.get("position_source"),
        }

    @cached_property
    def _request_constants(self):
        """What every row of one response shares: today, the staleness cutoff, the time zone, the period asked for."""
        period = self.context.get("as_at_period")
        return timezone.localdate(), stale_before(), timezone.get_current_timezone(), period.code if period else None


def _person(row: dict, role: str) -> dict | None:
    if row[f"{role}__id"] is None:
        return None
    return {field: row[f"{role}__{field}"] for field in PROGRESS_PERSON_FIELDS}


def _iso_datetime(value: datetime.datetime, tz) -> str:
    """As DRF's DateTimeField gives it: ISO 8601 in the current time zone, UTC as Z."""
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class StrictFieldsMixin:
    """Refuse fields the endpoint does not know, so a typo is an error rather than silently ignored."""

    def to_internal_value(self, data):
        unknown = set(getattr(data, "keys", dict)()) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)


class ProgressRecordUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a PATCH may change. Owners are named by the email of one of the system's people."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    accountable_owner = serializers.EmailField(required=False, allow_null=True)
    delivery_lead = serializers.EmailField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Required when status or target_date changes."
    )

    def validate(self, data):
        system = self.context["system"]
        for field in ("accountable_owner", "delivery_lead"):
            email = data.get(field)
            if email:
                person = Person.objects.filter(system=system, email__iexact=email).first()
                if person is None:
                    raise serializers.ValidationError({field: f"{system.short_name} has no person with this email."})
                data[field] = person
        return data


class ReconfirmSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="Optional note.")


class ProgressChangeSerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)
    recommendation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    changed_by = serializers.CharField(source="changed_by_name", read_only=True)

    class Meta:
        model = ProgressChange
        fields = [
            "id",
            "record",
            "system",
            "recommendation",
            "kind",
            "changed_at",
            "period",
            "changed_by",
            "status_before",
            "status_after",
            "changes",
            "reason",
            "record_version",
            "is_demo",
        ]


class CodeRelatedField(serializers.SlugRelatedField):
    """A related row named by its code. A code no database could hold (a NUL byte) simply does not exist."""

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data).replace("\x00", ""))
        return super().to_internal_value(data)


class EvidenceSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    system = CodeRelatedField(
        source="record.system", slug_field="ods_code", queryset=IntegratedCareSystem.objects.all()
    )
    recommendation = CodeRelatedField(
        source="record.recommendation", slug_field="code", queryset=Recommendation.objects.trackable()
    )
    file = serializers.FileField(
        write_only=True, required=False, help_text=f"{ALLOWED}; at most {MAX_UPLOAD_BYTES // 2**20} MB."
    )
    download_url = serializers.SerializerMethodField(help_text="Where to download the uploaded file, if any.")
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "system",
            "recommendation",
            "title",
            "kind",
            "refers_to",
            "description",
            "url",
            "file",
            "file_name",
            "content_type",
            "file_size",
            "download_url",
            "added_at",
            "added_by_name",
            "withdrawn",
            "withdrawn_at",
            "withdrawn_reason",
            "is_demo",
        ]
        read_only_fields = [
            "file_name",
            "content_type",
            "file_size",
            "added_at",
            "added_by_name",
            "withdrawn_at",
            "withdrawn_reason",
            "is_demo",
        ]

    def get_download_url(self, evidence) -> str | None:
        if not evidence.file:
            return None
        request = self.context.get("request")
        path = f"/api/v1/evidence/{evidence.pk}/file/"
        return request.build_absolute_uri(path) if request else path


class EvidenceWithdrawSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReportingPeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    is_current = serializers.BooleanField()


class StatusCountsSerializer(serializers.Serializer):
    not_assessed = serializers.IntegerField()
    red = serializers.IntegerField()
    amber = serializers.IntegerField()
    green = serializers.IntegerField()
    blue = serializers.IntegerField()
    not_applicable = serializers.IntegerField(help_text="Counted apart: not part of the BRAG proportions.")


class RollupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Recommendation code, region code, or 'england'.")
    label = serializers.CharField()
    systems = serializers.IntegerField()
    counts = StatusCountsSerializer()
    previous_counts = StatusCountsSerializer()
    change = StatusCountsSerializer(help_text="counts minus previous_counts.")
    includes_demo = serializers.BooleanField(help_text="Whether these counts include invented demonstration data.")
    signed_off_systems = serializers.IntegerField(
        help_text="How many of these systems' figures are their signed-off return's; the rest are from history."
    )


# Served at /api/v1/comparison/, under the schema name it has always had.
@extend_schema_serializer(component_name="Comparison")
class RollupsSerializer(serializers.Serializer):
    period = serializers.CharField()
    previous_period = serializers.CharField()
    footprint = serializers.CharField(help_text="Which ICBs the figures cover.")
    previous_footprint = serializers.CharField()
    includes_demo = serializers.BooleanField(help_text="Whether any figure includes invented demonstration data.")
    signed_off_systems = serializers.IntegerField(
        help_text="How many systems' figures are their signed-off return's; the rest are from history, not signed off."
    )
    national = RollupSerializer()
    by_recommendation = RollupSerializer(many=True)
    by_region = RollupSerializer(many=True)


class MembershipSerializer(serializers.ModelSerializer):
    """Who has which role where: an ICS's approvers, editors and viewers, or a region's reviewers."""

    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    # One of the two is null: an ICS role has a system, a reviewer a region, the national team neither.
    system = serializers.SlugRelatedField(slug_field="ods_code", read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "system", "region"]
