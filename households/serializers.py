"""What the family, review and duplicates API answers: output serializers.

The answers are built as dicts by the views (`api.family_summary` and friends) and rendered through
these serializers, so the OpenAPI schema (/api/v1/schema/) states each field of each answer and an
answer cannot carry a field the schema does not name. Date-times arrive as ISO 8601 strings with
their offset and are passed through unchanged.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from households.models import FamilyStatus, PrelistStatus
from regsosek import openapi


class FamilySummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    sls = serializers.IntegerField()
    status = serializers.ChoiceField(choices=FamilyStatus.choices)
    revision = serializers.IntegerField()
    form = serializers.CharField()
    version = serializers.CharField()
    building_no = serializers.CharField(allow_blank=True)
    family_no = serializers.CharField(allow_blank=True)
    head_name = serializers.CharField(allow_blank=True)
    member_count = serializers.IntegerField()
    kk = serializers.CharField(allow_null=True, help_text="masked: bullets and a keyed tag (docs/privacy.md)")
    photo_required = serializers.BooleanField()
    warning_count = serializers.IntegerField()
    review_comment = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()


class FamilyDetailSerializer(FamilySummarySerializer):
    record = serializers.JSONField(help_text="{form, version, family: {var: value}, members: [...]}")
    warnings = openapi.IssueSerializer(many=True)
    identifiers_masked = serializers.BooleanField(help_text="NIK / No. KK in `record` masked (all but the PPL)")
    return_id = serializers.IntegerField(allow_null=True, help_text="while returned: the return's id")
    review_notes = openapi.ReviewNoteSerializer(many=True, help_text="while returned: comments per answer")


class FamilySaveResultSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    family = FamilySummarySerializer()
    warnings = openapi.IssueSerializer(many=True)


class RevisionSerializer(serializers.Serializer[Any]):
    class ChangeSerializer(serializers.Serializer[Any]):
        variable = serializers.CharField()
        member_index = serializers.IntegerField(allow_null=True, help_text="0-based; null for a family variable")
        old = serializers.JSONField(allow_null=True)
        new = serializers.JSONField(allow_null=True)

    revision = serializers.IntegerField()
    author = serializers.CharField()
    at = serializers.DateTimeField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source, popped by DRF
    changes = ChangeSerializer(many=True, help_text="none for revision 1 (the family created)")


class ReviewEventSerializer(serializers.Serializer[Any]):
    """A status change: `from` is a Python keyword, so the fields are named in get_fields."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField(allow_blank=True)
        fields["to"] = serializers.CharField()
        fields["actor"] = serializers.CharField()
        fields["at"] = serializers.DateTimeField()
        fields["comment"] = serializers.CharField(allow_blank=True)
        return fields


class AnswersAtSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField()
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text='{"family.<var>" or "members.<i>.<var>": value}, NIK / No. KK masked'
    )


class FamilyHistorySerializer(serializers.Serializer[Any]):
    revisions = RevisionSerializer(many=True)
    events = ReviewEventSerializer(many=True)
    answers_at = AnswersAtSerializer(required=False, help_text="with ?revision=n only")


class RevealedSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["nik", "kk"])
    value = serializers.CharField()


class PrelistRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    line_no = serializers.IntegerField()
    head_name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=PrelistStatus.choices)
    family = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class SLSConfirmationSerializer(serializers.Serializer[Any]):
    sls = serializers.IntegerField()
    action = serializers.CharField(help_text="confirm or reopen")
    at = serializers.DateTimeField()


class DuplicateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["nik", "nik_in_family", "kk"])
    families = serializers.ListField(child=serializers.IntegerField(), help_text="ids in the caller's scope, ascending")
    elsewhere = serializers.IntegerField(help_text="families with the same number outside the caller's scope")
