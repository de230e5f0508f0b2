"""The reference catalogue: publications, their themes and the items ICSs are tracked against.

Read-only at run time; loaded from fixtures/catalogue.json by `manage.py load_reference_data`.
Every model has a natural key so that the fixture can be reloaded over existing rows.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat

from .choices import Audience, ContextKind, DatePrecision, ItemKind


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by the fields its model names in NATURAL_KEY, so fixtures can reload over existing rows."""

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.model.NATURAL_KEY, values, strict=True)))


NaturalKeyManager = models.Manager.from_queryset(NaturalKeyQuerySet)


class Publication(models.Model):
    """A report whose advice the catalogue quotes.

    `published_on` orders publications; `date_precision` says how much of it the source states, and
    `date_display()` is the only way a page shows the date, so a month is never shown as a day.
    """

    DATE_FORMATS = {DatePrecision.DAY: "j F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    published_on = models.DateField(
        help_text="For ordering. With month or year precision, the first day of that month or year."
    )
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How much of the date the source states: the day, only the month, or only the year.",
    )
    seed_file = models.CharField(max_length=100, help_text="File in shared/seeds/ holding the source text.")
    summary = models.TextField(blank=True)

    objects = NaturalKeyManager()
    NATURAL_KEY = ("slug",)

    class Meta:
        ordering = ["-published_on"]

    def __str__(self):
        return f"{self.publisher} ({self.published_on.year}): {self.title}"

    def get_absolute_url(self):
        return reverse("legacy:publication", args=[self.slug])

    def clean(self):
        # A date the source does not state must not pass for one: month and year precision start their period.
        if self.published_on and self.date_precision in (DatePrecision.MONTH, DatePrecision.YEAR):
            first = self.published_on.replace(day=1)
            if self.date_precision == DatePrecision.YEAR:
                first = first.replace(month=1)
            if self.published_on != first:
                raise ValidationError(
                    {"published_on": f"With {self.get_date_precision_display().lower()} precision, use {first}."}
                )

    def date_display(self) -> str:
        """The date at the precision the source gives: "3 March 2022", "July 2016" or "2019"."""
        return dateformat.format(self.published_on, self.DATE_FORMATS[self.date_precision])

    def natural_key(self):
        return (self.slug,)


class Theme(models.Model):
    """A group of items within one publication, as the publication itself groups them.

    Where the publication gives a group no heading of its own, the title is our summary of it: pages and
    the API say so (`display_title`, `title_is_paraphrase`), so a reader never takes it for the source's words.
    """

    slug = models.SlugField(unique=True)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="themes")
    title = models.CharField(max_length=200)
    title_is_paraphrase = models.BooleanField(
        default=False, help_text="The title is our summary, not a heading of the publication."
    )
    order = models.PositiveSmallIntegerField()

    objects = NaturalKeyManager()
    NATURAL_KEY = ("slug",)

    class Meta:
        ordering = ["publication__published_on", "order"]
        constraints = [models.UniqueConstraint(fields=["publication", "order"], name="theme_unique_order")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return f"{self.title} (our summary)" if self.title_is_paraphrase else self.title

    def natural_key(self):
        return (self.slug,)


class RecommendationQuerySet(NaturalKeyQuerySet):
    def trackable(self):
        return self.filter(trackable=True)

    def in_source_order(self):
        return self.order_by("-publication__published_on", "theme__order", "order")


class Recommendation(models.Model):
    """One recommendation or lesson, quoted verbatim from its publication.

    `code` is stable forever (NHSCC-1…11, KF-L1…7, KF-N1…13): API consumers and ICS records key on it.
    """

    code = models.CharField(max_length=20, unique=True)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="items")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    order = models.PositiveSmallIntegerField(help_text="Position within its publication and kind, in source order.")
    title = models.CharField(max_length=200, help_text="A short title of ours; the source text is in `text`.")
    text = models.TextField(help_text="Verbatim from the source.")
    section = models.CharField(max_length=200, help_text="The section of the source the text is quoted from.")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    trackable = models.BooleanField(help_text="Whether each ICS records its progress against this item.")
    related = models.ManyToManyField(
        "self", through="CrossReference", symmetrical=False, related_name="referenced_by", blank=True
    )

    objects = RecommendationQuerySet.as_manager()
    NATURAL_KEY = ("code",)

    class Meta:
        ordering = ["-publication__published_on", "theme__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "kind", "order"], name="recommendation_unique_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("legacy:recommendation", args=[self.code])

    def natural_key(self):
        return (self.code,)

    def cross_references(self):
        """Cross-references in either direction, each paired with the item at the other end."""
        refs = CrossReference.objects.filter(Q(from_item=self) | Q(to_item=self)).select_related(
            "from_item__publication", "to_item__publication"
        )
        return [(ref.to_item if ref.from_item_id == self.pk else ref.from_item, ref) for ref in refs]


class ContextNote(models.Model):
    """Supporting context quoted from a source: a strategy, a consideration, a thing to retain, the report's own
    supporting text or a case study. Which items a note supports is our reading; `section` says where it is from."""

    code = models.CharField(max_length=30, unique=True)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="context_notes")
    recommendations = models.ManyToManyField(Recommendation, related_name="context_notes")
    kind = models.CharField(max_length=20, choices=ContextKind.choices)
    order = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=300)
    text = models.TextField(help_text="Verbatim from the source; one paragraph or list entry per line.")
    section = models.CharField(max_length=300)

    objects = NaturalKeyManager()
    NATURAL_KEY = ("code",)

    class Meta:
        ordering = ["kind", "order"]

    def __str__(self):
        return f"{self.code} {self.heading}"

    def natural_key(self):
        return (self.code,)

    def paragraphs(self):
        return self.text.splitlines()


class CrossReference(models.Model):
    """A link between related items of different publications, with the reason for it."""

    from_item = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="references_out")
    to_item = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="references_in")
    reason = models.TextField()

    objects = NaturalKeyManager()
    NATURAL_KEY = ("from_item__code", "to_item__code")

    class Meta:
        ordering = ["from_item__code", "to_item__code"]
        constraints = [
            models.UniqueConstraint(fields=["from_item", "to_item"], name="crossreference_unique_pair"),
            models.CheckConstraint(condition=~Q(from_item=models.F("to_item")), name="crossreference_not_self"),
        ]

    def __str__(self):
        return f"{self.from_item.code} ↔ {self.to_item.code}"

    def natural_key(self):
        return (self.from_item.code, self.to_item.code)

    natural_key.dependencies = ["legacy.recommendation"]
