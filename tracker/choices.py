from django.db import models


class Role(models.TextChoices):
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    NATIONAL = "national", "National team"
