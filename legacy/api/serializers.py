from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from legacy.models import ContextNote, Publication, Recommendation, Theme


class PublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publication
        fields = ["slug", "title", "publisher", "published_on", "date_precision", "seed_file", "summary"]


class ThemeSerializer(serializers.ModelSerializer):
    publication = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Theme
        fields = ["slug", "publication", "title", "title_is_paraphrase", "order"]
        extra_kwargs = {"title_is_paraphrase": {"help_text": "True when the title is our summary, not the source's."}}


class ContextNoteSerializer(serializers.ModelSerializer):
    publication = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ContextNote
        fields = ["code", "publication", "kind", "heading", "text", "section"]


class CrossReferenceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code of the related item.")
    reason = serializers.CharField(help_text="Why the two items are related.")


class RecommendationSerializer(serializers.ModelSerializer):
    publication = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="v1:recommendation-detail", lookup_field="code", help_text="This item in the API."
    )

    class Meta:
        model = Recommendation
        fields = [
            "code",
            "url",
            "publication",
            "theme",
            "kind",
            "order",
            "title",
            "text",
            "section",
            "audience",
            "trackable",
        ]


class RecommendationDetailSerializer(RecommendationSerializer):
    context = ContextNoteSerializer(source="context_notes", many=True, read_only=True)
    cross_references = serializers.SerializerMethodField()

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "context", "cross_references"]

    @extend_schema_field(CrossReferenceSerializer(many=True))
    def get_cross_references(self, item):
        return [{"code": other.code, "reason": ref.reason} for other, ref in item.cross_references()]
