"""Publishing a signed-off quarter as open data (Open Government Licence v3.0), one immutable version at a time.

The data comes from frozen positions only, never from live records: every system of the period's footprint × every
trackable item, the position of the sign-off in force where there is one, else a row saying "not signed off" with
empty position columns. Owners' names and emails are never published. The files (progress as CSV and JSON, the
catalogue and the register they refer to, and a Frictionless Data Package describing them all) are generated once
and stored with their sha256 checksums: `tracker.views.open_data` serves those bytes and nothing else.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from legacy.choices import Audience, ItemKind
from legacy.models import Recommendation

from .. import permissions
from ..choices import Status
from ..exports import csv_lines
from ..models import IntegratedCareSystem, Position, PublishedDataset, PublishedFile, QuarterlyReturn
from ..periods import ReportingPeriod
from .records import actor_name

MAX_NOTE_LENGTH = 2000
LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
CSV = "text/csv; charset=utf-8"
JSON = "application/json"
DEMO_NOTE = (
    "Rows with is_demo true are invented demonstration data, not any integrated care system's real return: "
    "leave them out of any analysis."
)
FORMULA_NOTE = (
    "In the CSV files, text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage "
    "return) is written with a leading apostrophe; the JSON has the text exactly as given."
)


class OpenDataRefused(Exception):
    """The rules refuse to publish this period now (HTTP 409)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _field(name, type_, description, **constraints):
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


# The data dictionary: the Table Schema of each resource, which the public page also shows column by column.
PROGRESS_FIELDS = [
    _field(
        "period",
        "string",
        "The reporting period: an NHS financial-year quarter (Q1 is April to June).",
        required=True,
        pattern=r"\d{4}-\d{2}-Q[1-4]",
    ),
    _field(
        "ods_code", "string", "ODS code of the integrated care board (ICB); see the register resource.", required=True
    ),
    _field(
        "recommendation",
        "string",
        "Code of the catalogue item, e.g. NHSCC-4; see the catalogue resource.",
        required=True,
    ),
    _field(
        "signed_off",
        "boolean",
        "Whether the system's return for the period was signed off (the signed-off "
        "version in force when this version was published). When false, every position column is empty: the "
        "system had no official position to publish.",
        required=True,
    ),
    _field(
        "sign_off_version",
        "integer",
        "Which signed-off version of the return: 1, or more after the national team reopened it.",
        minimum=1,
    ),
    _field("signed_off_on", "date", "The day the return was signed off by the ICS's approver."),
    _field(
        "status",
        "string",
        "The item's status as signed off: " + "; ".join(f"{s.value} ({s.meaning})" for s in Status) + ".",
        enum=list(Status.values),
    ),
    _field("target_date", "date", "The date the ICS aims to reach blue (complete and embedded) by."),
    _field("original_target_date", "date", "The first target date set: a later target_date means it moved."),
    _field("summary", "string", "The ICS's own summary of what it is doing about the item."),
    _field("last_reason", "string", "The reason the ICS gave for the item's last change."),
    _field(
        "evidence_items",
        "integer",
        "How many pieces of evidence stood behind the position (the evidence itself is not published).",
        minimum=0,
    ),
    _field("is_demo", "boolean", "true: invented demonstration data, not a real return.", required=True),
]
CATALOGUE_FIELDS = [
    _field("code", "string", "Stable code of the item: NHSCC-1…11, KF-L1…7, KF-N1….", required=True, unique=True),
    _field("publication", "string", "The publication the item is quoted from.", required=True),
    _field("publisher", "string", "Who published it.", required=True),
    _field(
        "published_on", "date", "When (the first of the month or year where the source gives only that).", required=True
    ),
    _field("theme", "string", "The publication's group of items.", required=True),
    _field("kind", "string", "What kind of item it is.", required=True, enum=list(ItemKind.values)),
    _field("audience", "string", "Who the item is addressed to.", required=True, enum=list(Audience.values)),
    _field("title", "string", "A short title of ours; the source text is in `text`.", required=True),
    _field("text", "string", "The item, verbatim from the source.", required=True),
    _field("trackable", "boolean", "Whether each ICS records its progress against the item.", required=True),
]
REGISTER_FIELDS = [
    _field("ods_code", "string", "ODS code of the integrated care board.", required=True, unique=True),
    _field("name", "string", "The ICB's official name.", required=True),
    _field("short_name", "string", "The name in everyday use.", required=True),
    _field("region_code", "string", "ODS code of its NHS England region.", required=True),
    _field("region", "string", "Its NHS England region.", required=True),
    _field("established_on", "date", "When the ICB was established.", required=True),
    _field("dissolved_on", "date", "When it was dissolved in a reorganisation (empty: still in place)."),
]
PROGRESS_SCHEMA = {
    "fields": PROGRESS_FIELDS,
    "primaryKey": ["ods_code", "recommendation"],
    "foreignKeys": [
        {"fields": ["recommendation"], "reference": {"resource": "catalogue", "fields": ["code"]}},
        {"fields": ["ods_code"], "reference": {"resource": "register", "fields": ["ods_code"]}},
    ],
    "missingValues": [""],
}
FILES = ("progress.csv", "progress.json", "catalogue.csv", "register.csv", "datapackage.json")


def _text(value) -> str:
    """A cell as the published CSV writes it: ISO dates, true/false, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _csv(fields, rows: list[dict]) -> bytes:
    header = [field["name"] for field in fields]
    return "".join(csv_lines(header, ([_text(row[name]) for name in header] for row in rows))).encode("utf-8")


def _json(rows: list[dict]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=1, default=_text).encode("utf-8") + b"\n"


def progress_rows(period: ReportingPeriod) -> list[dict]:
    """Every system of the footprint × every trackable item, from the frozen positions of the sign-offs in force."""
    from ..selectors import footprint

    systems = list(footprint(period).order_by("ods_code").values_list("pk", "ods_code"))
    items = list(Recommendation.objects.trackable().in_source_order().values_list("pk", "code"))
    returns = {
        r.system_id: r
        for r in QuarterlyReturn.objects.filter(period=period.code, system__in=[pk for pk, _ in systems])
        .select_related("sign_off")
        .only("system_id", "is_demo", "sign_off__number", "sign_off__signed_off_at")
    }
    in_force = [r.sign_off_id for r in returns.values() if r.sign_off_id]
    positions = {
        (system_id, item_id): rest
        for system_id, item_id, *rest in Position.objects.filter(sign_off__in=in_force)
        .order_by()
        .values_list(
            "sign_off__quarterly_return__system_id",
            "recommendation_id",
            "status",
            "target_date",
            "original_target_date",
            "summary",
            "last_reason",
            "evidence",
            "is_demo",
        )
    }
    rows = []
    for system_id, ods_code in systems:
        the_return = returns.get(system_id)
        sign_off = the_return.sign_off if the_return and the_return.sign_off_id else None
        for item_id, code in items:
            position = positions.get((system_id, item_id)) if sign_off else None
            row = {"period": period.code, "ods_code": ods_code, "recommendation": code, "signed_off": bool(position)}
            if position:
                status, target, original, summary, reason, evidence, is_demo = position
                row |= {
                    "sign_off_version": sign_off.number,
                    "signed_off_on": timezone.localdate(sign_off.signed_off_at),
                    "status": status,
                    "target_date": target,
                    "original_target_date": original,
                    "summary": summary,
                    "last_reason": reason,
                    "evidence_items": len(evidence),
                    "is_demo": is_demo,
                }
            else:
                row |= dict.fromkeys(
                    ("sign_off_version", "signed_off_on", "status", "target_date", "original_target_date"), None
                )
                row |= {"summary": None, "last_reason": None, "evidence_items": None}
                row["is_demo"] = bool(the_return and the_return.is_demo)
            rows.append(row)
    return rows


def _catalogue_rows() -> list[dict]:
    items = Recommendation.objects.select_related("publication", "theme").order_by("code")
    return [
        {
            "code": item.code,
            "publication": item.publication.title,
            "publisher": item.publication.publisher,
            "published_on": item.publication.published_on,
            "theme": item.theme.title,
            "kind": item.kind,
            "audience": item.audience,
            "title": item.title,
            "text": item.text,
            "trackable": item.trackable,
        }
        for item in items
    ]


def _register_rows() -> list[dict]:
    systems = IntegratedCareSystem.objects.select_related("region").order_by("ods_code")
    return [
        {
            "ods_code": system.ods_code,
            "name": system.name,
            "short_name": system.short_name,
            "region_code": system.region.code,
            "region": system.region.name,
            "established_on": system.established_on,
            "dissolved_on": system.dissolved_on,
        }
        for system in systems
    ]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _resource(name, path, content: bytes, schema, title, description) -> dict:
    resource = {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": path.rsplit(".", 1)[1],
        "mediatype": "text/csv" if path.endswith(".csv") else JSON,
        "encoding": "utf-8",
        "hash": f"sha256:{_sha256(content)}",
        "schema": schema,
    }
    # frictionless counts the bytes of tabular files it reads as text only: for JSON the hash alone stands.
    if path.endswith(".csv"):
        resource["bytes"] = len(content)
    return resource


def _datapackage(dataset: PublishedDataset, files: dict[str, bytes]) -> bytes:
    period = ReportingPeriod.from_code(dataset.period)
    description = (
        f"Where each integrated care system stood at the end of {period.label} ({period.start:%-d %B %Y} to "
        f"{period.end:%-d %B %Y}) on the advice left by the clinical commissioning groups, as signed off in its "
        f"quarterly return: {dataset.signed_off_systems} of {dataset.footprint_systems} systems signed off. "
        "Systems without a signed-off return are listed as not signed off, with no position. "
        f"{DEMO_NOTE} {FORMULA_NOTE}"
    )
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"ics-legacy-progress-{dataset.period.lower()}",
        "title": f"ICS legacy tracker: progress signed off for {period.label}",
        "description": description,
        "version": f"{dataset.version}.0.0",
        "created": dataset.published_at.isoformat(),
        "licenses": [LICENCE],
        "contributors": [{"title": "NHS England national policy team", "role": "publisher"}],
        "keywords": ["integrated care systems", "clinical commissioning groups", "quarterly return", "NHS England"],
        "resources": [
            _resource(
                "progress",
                "progress.csv",
                files["progress.csv"],
                PROGRESS_SCHEMA,
                "Progress (CSV)",
                "One row per system and trackable item.",
            ),
            _resource(
                "progress-json",
                "progress.json",
                files["progress.json"],
                PROGRESS_SCHEMA,
                "Progress (JSON)",
                "The same rows as progress.csv, as a JSON array of objects.",
            ),
            _resource(
                "catalogue",
                "catalogue.csv",
                files["catalogue.csv"],
                {"fields": CATALOGUE_FIELDS, "primaryKey": ["code"], "missingValues": [""]},
                "The catalogue",
                "Every recommendation and lesson of the source publications.",
            ),
            _resource(
                "register",
                "register.csv",
                files["register.csv"],
                {"fields": REGISTER_FIELDS, "primaryKey": ["ods_code"], "missingValues": [""]},
                "The ICS register",
                "Every integrated care board, including those dissolved in a reorganisation.",
            ),
        ],
    }
    if dataset.note:
        descriptor["versionNote"] = dataset.note  # what this correction corrects
    return json.dumps(descriptor, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _required_note(note: str, version: int) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": f"Keep the note to {MAX_NOTE_LENGTH:,} characters; you entered {len(note):,}."})
    if version > 1 and not note:
        raise ValidationError({"note": "Say what this correction corrects: it is published with the new version."})
    return note


@transaction.atomic
def open_data_publish(*, period: ReportingPeriod, user, note: str = "") -> PublishedDataset:
    """Publish `period`'s signed-off returns as a new version of its open data (the national team only). Refused
    (OpenDataRefused) while no return of the period is signed off; a second version needs a note."""
    from ..selectors import footprint

    if not permissions.can_publish_open_data(user):
        raise PermissionDenied(permissions.PUBLISH_OPEN_DATA_ONLY)
    in_footprint = footprint(period)
    signed_off = QuarterlyReturn.objects.filter(period=period.code, sign_off__isnull=False, system__in=in_footprint)
    if not signed_off.exists():
        raise OpenDataRefused(
            f"No return for {period.label} is signed off yet: there is nothing official to publish. "
            "Publish the period once its returns are signed off."
        )
    published = PublishedDataset.objects.filter(period=period.code).aggregate(count=Count("pk"))["count"]
    note = _required_note(note, published + 1)
    rows = progress_rows(period)
    try:
        with transaction.atomic():
            dataset = PublishedDataset.objects.create(
                period=period.code,
                version=published + 1,
                published_by=user,
                published_by_name=actor_name(user),
                note=note,
                signed_off_systems=signed_off.count(),
                footprint_systems=in_footprint.count(),
                is_demo=any(row["is_demo"] for row in rows),
            )
    except IntegrityError:
        raise OpenDataRefused(
            f"Someone published {period.label} at the same moment. Nothing was done: look at what they published."
        ) from None
    files = {
        "progress.csv": _csv(PROGRESS_FIELDS, rows),
        "progress.json": _json(rows),
        "catalogue.csv": _csv(CATALOGUE_FIELDS, _catalogue_rows()),
        "register.csv": _csv(REGISTER_FIELDS, _register_rows()),
    }
    files["datapackage.json"] = _datapackage(dataset, files)
    PublishedFile.objects.bulk_create(
        PublishedFile(
            dataset=dataset,
            name=name,
            media_type=CSV if name.endswith(".csv") else JSON,
            content=content,
            sha256=_sha256(content),
        )
        for name, content in files.items()
    )
    return dataset
