"""Open data: a signed-off quarter published by the national team, under the Open Government Licence v3.0.

A published version never changes: its files are generated once, at publication, and stored here byte for byte
with their sha256 checksums (which the data package lists and the ETags repeat). A correction is a new version,
with a note saying what it corrects; every earlier version stays downloadable as it was.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .progress import AppendOnlyQuerySet


class PublishedDatasetQuerySet(AppendOnlyQuerySet):
    def latest_per_period(self):
        """The newest version of each published period, newest period first."""
        newest = models.Subquery(
            PublishedDataset.objects.filter(period=models.OuterRef("period")).order_by("-version").values("version")[:1]
        )
        return self.filter(version=newest).order_by("-period")


class PublishedDataset(models.Model):
    """One published version of one period's open data: who published it, when, why (for a correction)."""

    period = models.CharField(max_length=10, help_text="Reporting period, e.g. 2026-27-Q2.")
    version = models.PositiveSmallIntegerField(help_text="1 when first published, 2 for the first correction, …")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by_name = models.CharField(max_length=150, help_text="For the audit trail; never published.")
    note = models.TextField(blank=True, help_text="What a correction corrects (required from version 2).")
    signed_off_systems = models.PositiveSmallIntegerField()
    footprint_systems = models.PositiveSmallIntegerField()
    is_demo = models.BooleanField(default=False, help_text="Some published rows are invented demonstration data.")

    objects = PublishedDatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="published_dataset_unique_version"),
        ]

    def __str__(self):
        return f"Open data {self.period} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A published dataset never changes: publish a correction as a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A published dataset is never deleted: publish a correction as a new version.")


class PublishedFile(models.Model):
    """One file of a published version, as published: its bytes, media type and sha256 checksum."""

    dataset = models.ForeignKey(PublishedDataset, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=50, help_text="progress.csv, progress.json, datapackage.json, …")
    media_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "name"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="published_file_unique_name")]

    def __str__(self):
        return f"{self.dataset} {self.name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A published file never changes: publish a correction as a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A published file is never deleted.")

    @property
    def etag(self) -> str:
        """Strong: the same bytes, for ever, under this tag."""
        return f'"{self.sha256}"'
