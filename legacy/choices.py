from django.db import models


class DatePrecision(models.TextChoices):
    """How finely a source dates a publication: the day, only the month, or nothing finer than the year."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class ItemKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    LESSON = "lesson", "Lesson"


class Audience(models.TextChoices):
    ICS_LEADERS = "ics_leaders", "ICS leaders"
    COMMISSIONERS = "commissioners", "Commissioners"
    NATIONAL_BODIES = "national_bodies", "National bodies"


class ContextKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy for improvement"
    CONSIDERATION = "consideration", "Consideration for the future"
    RETAIN = "retain", "To retain in ICSs"
    CASE_STUDY = "case_study", "Case study"
    SUPPORTING_TEXT = "supporting_text", "Supporting text"
