"""Reads of published open data: what is published, and a version's national summary, read from its own
published file (never from live records), so the page says exactly what the download says."""

import json
from dataclasses import dataclass

from django.db.models import QuerySet

from ..choices import Status
from ..models import PublishedDataset, PublishedFile

CHART_WIDTH, CHART_LABEL, BAR_HEIGHT, BAR_GAP = 640, 170, 28, 10


@dataclass
class ChartBar:
    label: str
    count: int
    share: str
    colour: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def count_x(self) -> int:
        return CHART_LABEL + self.width + 8


def published_datasets() -> QuerySet:
    """Every published version, newest period and version first."""
    return PublishedDataset.objects.order_by("-period", "-version")


def published_dataset(period: str, version: int | None = None) -> PublishedDataset | None:
    """A period's version `version`, or its latest; None if not published."""
    datasets = PublishedDataset.objects.filter(period=period)
    if version is not None:
        datasets = datasets.filter(version=version)
    return datasets.order_by("-version").first()


def published_file(period: str, name: str, version: int | None = None, *, with_content=True) -> PublishedFile | None:
    """A file of a period's version `version` (or latest), in one query; `with_content=False` leaves its bytes
    unread, which is enough to answer If-None-Match."""
    files = PublishedFile.objects.filter(dataset__period=period, name=name).select_related("dataset")
    if version is not None:
        files = files.filter(dataset__version=version)
    files = files.only("name", "media_type", "sha256", "dataset__version", *(("content",) if with_content else ()))
    return files.order_by("-dataset__version").first()


def published_summary(dataset: PublishedDataset) -> dict:
    """The national summary of a published version: positions by status (signed off) and items not signed off,
    with the bars of its chart."""
    content = PublishedFile.objects.values_list("content", flat=True).get(dataset=dataset, name="progress.json")
    rows = json.loads(bytes(content))
    counts = {status.value: 0 for status in Status}
    not_signed_off = 0
    for row in rows:
        if row["signed_off"]:
            counts[row["status"]] += 1
        else:
            not_signed_off += 1
    total = len(rows) or 1
    entries = [(Status(value).label, count, Status(value).tag_colour) for value, count in counts.items() if count]
    entries.append(("Not signed off", not_signed_off, "none"))
    biggest = max(count for _, count, _ in entries) or 1
    bars = [
        ChartBar(
            label=label,
            count=count,
            share=f"{100 * count / total:.0f}%",
            colour=colour,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round((CHART_WIDTH - CHART_LABEL - 60) * count / biggest),
        )
        for index, (label, count, colour) in enumerate(entries)
    ]
    description = "; ".join(f"{bar.label}: {bar.count} ({bar.share})" for bar in bars)
    return {
        "rows": len(rows),
        "signed_off_positions": len(rows) - not_signed_off,
        "not_signed_off": not_signed_off,
        "demo_rows": sum(1 for row in rows if row["is_demo"]),
        "bars": bars,
        "chart_height": len(bars) * (BAR_HEIGHT + BAR_GAP),
        "chart_width": CHART_WIDTH,
        "chart_label_x": CHART_LABEL - 8,
        "bar_x": CHART_LABEL,
        "bar_height": BAR_HEIGHT,
        "description": f"Positions of every system and item, {len(rows)} in all: {description}.",
    }
