from django.db import models


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
