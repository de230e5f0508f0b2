from django.contrib import admin

from .models import ContextNote, CrossReference, Publication, Recommendation, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    """The catalogue comes from fixtures/ (load_reference_data): shown here, changed only there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["title", "publisher", "published_on", "date_precision"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["title", "title_is_paraphrase", "publication", "order"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "publication", "theme", "audience", "trackable"]
    list_filter = ["publication", "audience", "trackable"]
    search_fields = ["code", "title", "text"]


@admin.register(ContextNote)
class ContextNoteAdmin(ReadOnlyAdmin):
    list_display = ["code", "heading", "kind", "publication"]
    list_filter = ["kind", "publication"]


@admin.register(CrossReference)
class CrossReferenceAdmin(ReadOnlyAdmin):
    list_display = ["from_item", "to_item", "reason"]
