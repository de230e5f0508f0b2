from rest_framework import serializers

from tracker.models import IntegratedCareSystem, Region, Succession


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
