"""What the OpenAPI schema (/api/v1/schema/) says about the API's bodies.

The views parse most bodies by hand, on purpose: a sync batch is read item by item so that one bad
family never refuses the others, and their answers are built as plain dicts. These serializers
only describe those shapes for the schema (docs/api.md and docs/sync.md are the full contract);
nothing validates with them.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class DeviceTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """`Authorization: Bearer <token>` from the device sign-in, with `X-Device-ID`."""

    target_class = "enumeration.devices.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - the scheme's name, not a secret
        )
        return scheme


class WipeReportScheme(DeviceTokenScheme):  # type: ignore[no-untyped-call]
    """The same header pair, accepted from a revoked device for its wipe report only."""

    target_class = "enumeration.devices.WipeReportAuthentication"
    name = "revokedDeviceToken"


# A refusal: `code`, an Indonesian `message`, and field-level `errors` when a field is at fault
# (inline: a serializer class cannot declare a field named `errors`, its own attribute).
ErrorSerializer = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(required=False),
        "errors": serializers.JSONField(required=False, help_text="{field: [message, ...]} or a list of issues"),
    },
)


class DetailSerializer(serializers.Serializer[Any]):
    """DRF's own refusals (not signed in, a body that is not JSON): an Indonesian `detail`."""

    detail = serializers.CharField()


class IssueSerializer(serializers.Serializer[Any]):
    """An issue of an item: `variable` and `message` always; the rest for the questionnaire's checks
    (a structural refusal, e.g. a client_uuid that is not a UUID, has only the first two)."""

    variable = serializers.CharField()
    number = serializers.CharField(allow_null=True, required=False, help_text="the question's number on the paper form")
    member_index = serializers.IntegerField(
        allow_null=True, required=False, help_text="0-based; null for a family variable"
    )
    check = serializers.CharField(
        required=False, help_text="relevant, required, type, code, a rule id, max_length, character..."
    )
    severity = serializers.ChoiceField(choices=["error", "warning"], required=False)
    message = serializers.CharField()
    message_en = serializers.CharField(required=False)


class GeotagInSerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField(help_text="made on the phone; families of one building send the same")
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(min_value=0)
    captured_at = serializers.DateTimeField(help_text="ISO 8601 with its offset")
    provider = serializers.CharField(help_text="gps, network or manual")
    building_no = serializers.CharField(required=False, max_length=3)
    accepted_reason = serializers.CharField(required=False, help_text="why a poor fix was kept")


class PhotoRefSerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    sha256 = serializers.CharField(min_length=64, max_length=64)


class PushItemSerializer(serializers.Serializer[Any]):
    """A push item as the server applies it (docs/sync.md); the request schema takes any item."""

    client_uuid = serializers.UUIDField(help_text="made on the phone when the family was started")
    sls = serializers.IntegerField()
    base_revision = serializers.IntegerField(allow_null=True, help_text="the revision edited from; null if new")
    return_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="the supervisor's return (its return_id) this content answers; null if none was shown",
    )
    record = serializers.JSONField(help_text="{form, version, family: {var: value}, members: [...]}")
    geotag = GeotagInSerializer(required=False, allow_null=True)
    photos = PhotoRefSerializer(many=True, required=False)
    interview_started_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 with offset: the first answer of the family on the phone; not after now + 10 min",
    )
    interview_finished_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 with offset: when the PPL finalised it; not before interview_started_at",
    )


class PushRequestSerializer(serializers.Serializer[Any]):
    # Items are read one by one and each gets its own result: an item that is not a PushItem (no
    # `sls`, a wrong type) is answered `invalid` in a 200 with the rest of the batch, never refused
    # as a batch. So the schema takes any item, as the answers do (the fuzz found the mismatch).
    families = serializers.ListField(
        child=serializers.JSONField(),
        help_text="at most SYNC_MAX_BATCH (413 beyond); each item a PushItem (docs/sync.md), "
        "an item that is not one is answered `invalid` in its result",
    )


# Whitespace as Python's str.strip() and ECMAScript's \s know it, written out: the pattern is checked
# by Python here and read by ECMAScript-style engines from the schema, and the two differ on \s
# (U+001C-U+001F and U+0085 for Python, U+FEFF for ECMAScript).
_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Something besides spaces, and no NUL (PostgreSQL cannot store it; DRF refuses it too).
NOT_BLANK = RegexValidator(rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$", message=gettext_lazy("Tidak boleh kosong."))


# An optional text (or a password) as the schema states it: no NUL, which DRF's CharField refuses
# (ProhibitNullCharactersValidator) but a schema without a pattern allows (the API fuzz).
NO_NUL = RegexValidator(r"^[^\x00]*$", message=gettext_lazy("Tidak boleh memuat karakter NUL."))


class RequiredText(serializers.CharField):
    """A required text as the schema states it exactly: at most `max_length` characters as sent,
    something besides spaces (NOT_BLANK's pattern), no NUL; trimmed only after those checks. DRF's
    CharField trims first, so " " + 150 letters passed a maxLength of 150 that the schema refuses;
    and a NUL passed the schema's old pattern (one non-space character) but not DRF (the API fuzz)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        kwargs["validators"] = [*kwargs.get("validators", []), NOT_BLANK]
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        value = super().run_validation(data)
        return value.strip() if isinstance(value, str) else value


# A questionnaire variable's id (r101, r402...), as the schema states it: the empty or padded id
# DRF's trimming refused was schema-valid (the API fuzz).
VARIABLE_ID = RegexValidator(r"^[a-z][a-z0-9_]*$", message=gettext_lazy("Bukan nama rincian."))


class ReviewNoteSerializer(serializers.Serializer[Any]):
    """A supervisor's comment on one answer of a returned family."""

    variable = serializers.CharField(
        max_length=40,
        trim_whitespace=False,
        validators=[VARIABLE_ID],
        help_text="the variable's id in the questionnaire definition (the service checks the family has it)",
    )
    member = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="the member's roster line (401) for a member variable; else null"
    )
    comment = RequiredText(max_length=500)


class PulledFamilySerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    sls = serializers.IntegerField()
    revision = serializers.IntegerField()
    status = serializers.CharField()
    review_comment = serializers.CharField(allow_blank=True)
    review_notes = ReviewNoteSerializer(many=True, help_text="while returned: comments per answer; else empty")
    return_id = serializers.IntegerField(allow_null=True, help_text="while returned: the return's id")
    photo_required = serializers.BooleanField()
    geotag = serializers.UUIDField(allow_null=True)
    updated_at = serializers.DateTimeField()
    record = serializers.JSONField(help_text="the full record, identifiers included")


PushResultSerializer = inline_serializer(
    "PushResult",
    {
        "client_uuid": serializers.CharField(allow_null=True),
        "result": serializers.ChoiceField(
            choices=["created", "updated", "unchanged", "conflict", "invalid", "forbidden"]
        ),
        "revision": serializers.IntegerField(required=False),
        "status": serializers.CharField(required=False),
        "warnings": IssueSerializer(many=True, required=False),
        "photos_missing": serializers.ListField(child=serializers.UUIDField(), required=False),
        "errors": IssueSerializer(many=True, required=False, help_text="invalid: one per variable"),
        "message": serializers.CharField(required=False, help_text="conflict and forbidden: why"),
        "server": PulledFamilySerializer(required=False, allow_null=True, help_text="conflict: the server's copy"),
        "review_comment": serializers.CharField(required=False, help_text="stored while returned: the comment"),
        "review_notes": ReviewNoteSerializer(many=True, required=False, help_text="stored while returned: per answer"),
        "return_id": serializers.IntegerField(required=False, allow_null=True, help_text="stored while returned"),
    },
)


class PushResponseSerializer(serializers.Serializer[Any]):
    results = serializers.ListField(child=PushResultSerializer, help_text="one per family, in the request's order")


class ReturnedSerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    comment = serializers.CharField(allow_blank=True)
    notes = ReviewNoteSerializer(many=True, help_text="comments per answer")
    return_id = serializers.IntegerField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)


class PullResponseSerializer(serializers.Serializer[Any]):
    cursor = serializers.CharField(help_text="send it back as ?cursor= for what changed since")
    server_time = serializers.DateTimeField()
    team = serializers.JSONField(help_text="{ppl: {name, code}, pml: {name, code} | null}, for Blok II (202, 204)")
    questionnaire = serializers.JSONField(help_text="{form, version, sha256, url} of the current definition")
    sls = serializers.ListField(child=serializers.JSONField(), help_text="assigned SLS with boundary and context")
    prelist = serializers.ListField(child=serializers.JSONField(), help_text="VK1 rows of those SLS")
    families = PulledFamilySerializer(many=True, help_text="own families changed since cursor")
    geotags = serializers.ListField(child=serializers.JSONField())
    returned = ReturnedSerializer(many=True, help_text="families the PML returned")


class SignInResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    device_id = serializers.UUIDField()
    user = serializers.JSONField(help_text="{username, full_name, role}")
    key_shares = serializers.ListField(
        child=serializers.CharField(),
        help_text="the device's shares of the app lock's key (32 bytes, base64url), current first",
    )


class WipeConfirmSerializer(serializers.Serializer[Any]):
    device_id = serializers.UUIDField(required=False, help_text="optional; if given, the X-Device-ID")


class MarksRequestSerializer(serializers.Serializer[Any]):
    marks = serializers.ListField(child=serializers.JSONField(), help_text="{id, status, family?, note?, ...}")


class MarkResultSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=["ok", "family_missing", "invalid", "forbidden"])
    row = serializers.JSONField(required=False, help_text="ok: the VK1 row as it now is")
    message = serializers.CharField(required=False)


class MarksResponseSerializer(serializers.Serializer[Any]):
    results = MarkResultSerializer(many=True)


class PhotoStatusSerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    status = serializers.CharField(help_text="received, ready or rejected")
    sha256 = serializers.CharField()
    rejection_code = serializers.CharField(allow_null=True)


class PhotoListSerializer(serializers.Serializer[Any]):
    photos = serializers.ListField(child=serializers.UUIDField(), max_length=1000)


class PhotoMissingSerializer(serializers.Serializer[Any]):
    missing = serializers.ListField(child=serializers.UUIDField())


def refusals(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an endpoint, for `extend_schema(responses=...)`."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


OBJECT = OpenApiResponse(OpenApiTypes.OBJECT, description="see docs/api.md for the fields")
LIST = OpenApiResponse({"type": "array", "items": {"type": "object"}}, description="see docs/api.md for the fields")


def add_common_refusals(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the refusals any operation can give, documented on each.

    Every operation needing credentials can answer 401 (none, or a token no longer valid) and 403
    (a session's POST without its CSRF token, or the wrong role); every operation can answer 400 (a
    body that is not JSON, a NUL in a query parameter); one with a path parameter, 404 (the object
    is outside the caller's scope or does not exist). Found by the API fuzz (tests/fuzz/)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            needed = {"400": "invalid request"}
            if any(requirement for requirement in operation.get("security", [])):
                needed |= {"401": "not signed in", "403": "not allowed"}
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                needed["404"] = "not found or outside the caller's scope"
            for code, description in needed.items():
                responses.setdefault(code, {"description": description, **error})
    return result
