"""Family records over HTTP: save, read (identifiers masked unless the caller collected them),
review transitions, history, VK1 prelist, SLS confirmation, audited reveals, duplicates, and the
questionnaire definition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration import scoping
from enumeration.models import SLS, Role, User
from households import form, records, selectors, services
from households import serializers as outputs
from households.filters import FamilyFilter
from households.models import Family, PrelistFamily, PrelistStatus, SLSConfirmation
from regsosek import openapi, text
from regsosek.errors import NotAllowedError, NotFoundError
from regsosek.pagination import IdCursorPagination, KeyCursorPagination


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran first
    return user


def _family(request: Request, family_id: int) -> Family:
    family = selectors.family_get_for_user(user=_user(request), family_id=family_id)
    if family is None:
        raise NotFoundError("Keluarga tidak ditemukan.")
    return family


def _audit_supervisor_read(user: User, family: Family, action: AuditAction, detail: str = "") -> None:
    """A family record read by anyone but a PPL of its SLS (supervisors, BPS admins) is audited."""
    if user.role != Role.PPL:
        audit_record(
            action=action,
            actor=user,
            object_type="family",
            object_id=family.pk,
            area=Area.of_sls(family.sls),
            detail=detail,
        )


def _visible_sls(request: Request, sls_id: int) -> SLS:
    sls = scoping.visible_sls(_user(request)).filter(pk=sls_id).first()
    if sls is None:
        raise NotFoundError("SLS tidak ditemukan.")
    return sls


def family_summary(family: Family) -> dict[str, Any]:
    return {
        "id": family.pk,
        "client_uuid": str(family.client_uuid),
        "sls": family.sls_id,
        "status": family.status,
        "revision": family.revision,
        "form": family.form_id,
        "version": family.form_version,
        "building_no": family.building_no,
        "family_no": family.family_no,
        "head_name": family.head_name,
        "member_count": family.member_count,
        "kk": records.identifier_text(family.kk_ciphertext, family.kk_hash, reveal=False),
        "photo_required": family.photo_required,
        "warning_count": len(family.warnings),
        "review_comment": family.review_comment,
        "updated_at": family.updated_at.isoformat(),
    }


def family_detail(family: Family, *, user: User) -> dict[str, Any]:
    # The PPL who works the SLS entered these numbers and must be able to correct them;
    # supervisors see them masked and use the audited reveal.
    reveal = user.role == Role.PPL
    definition = form.definition_for_family(family)
    record = records.compose(definition, family, list(family.members.all()), reveal=reveal)
    return_event = services.family_return_event(family)
    return {
        **family_summary(family),
        "record": record,
        "warnings": family.warnings,
        "identifiers_masked": not reveal,
        # A PPL's correction of a returned family names this return (FamilySaveApi `return_id`), and
        # the phone shows its notes on their fields.
        "return_id": return_event.pk if return_event is not None else None,
        "review_notes": list(return_event.notes) if return_event is not None else [],
    }


class FamilyListApi(ListAPIView):  # type: ignore[type-arg]
    """Families in the caller's scope, one page at a time (a cursor over the id), filtered by
    django-filter (`FamilyFilter`: a malformed or empty filter is a 400 on its field). Pemkot staff
    see no family records (403)."""

    serializer_class = outputs.FamilySummarySerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = FamilyFilter
    pagination_class = IdCursorPagination

    def get_queryset(self) -> QuerySet[Family]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user, no rows
            return selectors.family_none()
        user = _user(self.request)
        if user.role == Role.PEMKOT:
            raise NotAllowedError(_("Peran Anda tidak melihat data keluarga."))
        return selectors.family_list_for_user(user=user)

    @extend_schema(operation_id="families_list", responses={200: outputs.FamilySummarySerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        assert page is not None  # noqa: S101 - a pagination class is set
        return self.get_paginated_response(self.get_serializer([family_summary(f) for f in page], many=True).data)


class FamilySaveApi(APIView):
    class FamilySaveSerializer(serializers.Serializer[Any]):
        client_uuid = serializers.UUIDField()
        sls = serializers.IntegerField()
        base_revision = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        # The return (its id from the family's detail) whose comment this correction answers.
        return_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        record = serializers.DictField()

    @extend_schema(
        request=FamilySaveSerializer,
        responses={
            201: outputs.FamilySaveResultSerializer,
            200: outputs.FamilySaveResultSerializer,
            **openapi.refusals(400, 401, 403, 404, 409),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.FamilySaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sls = _visible_sls(request, values["sls"])
        result = services.family_save(
            user=_user(request),
            sls=sls,
            client_uuid=values["client_uuid"],
            record=values["record"],
            base_revision=values.get("base_revision"),
            source="api",
            answers_return=values.get("return_id"),
        )
        code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
        answer = {"result": result.outcome, "family": family_summary(result.family), "warnings": result.warnings}
        return Response(outputs.FamilySaveResultSerializer(answer).data, status=code)


class FamilyDetailApi(APIView):
    @extend_schema(responses={200: outputs.FamilyDetailSerializer, **openapi.refusals(401, 404)})
    def get(self, request: Request, family_id: int) -> Response:
        user, family = _user(request), _family(request, family_id)
        _audit_supervisor_read(user, family, AuditAction.FAMILY_VIEW)
        return Response(outputs.FamilyDetailSerializer(family_detail(family, user=user)).data)


class CommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[openapi.NO_NUL]
    )


class ReturnSerializer(CommentSerializer):
    notes = openapi.ReviewNoteSerializer(
        many=True, required=False, help_text="comments on single answers; the service checks each names one"
    )


class _FamilyTransitionApi(APIView):
    """POST {comment?}: one review transition of a family; the service decides who may do it."""

    transition: Callable[..., Family]

    @extend_schema(
        request=CommentSerializer,
        responses={200: outputs.FamilySummarySerializer, **openapi.refusals(400, 403, 404, 409)},
    )
    def post(self, request: Request, family_id: int) -> Response:
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        family = type(self).transition(
            user=_user(request), family=_family(request, family_id), comment=body.validated_data["comment"]
        )
        return Response(outputs.FamilySummarySerializer(family_summary(family)).data)


class FamilyApproveApi(_FamilyTransitionApi):
    transition = staticmethod(services.family_approve)


class FamilyReturnApi(APIView):
    """POST {comment?, notes?}: back to the PPL with a comment and/or notes per answer
    (`services.family_return`, the same call as the review desk's form)."""

    @extend_schema(
        request=ReturnSerializer,
        responses={200: outputs.FamilySummarySerializer, **openapi.refusals(400, 403, 404, 409)},
    )
    def post(self, request: Request, family_id: int) -> Response:
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notes = [dict(note) for note in body.validated_data.get("notes") or []]
        family = services.family_return(
            user=_user(request),
            family=_family(request, family_id),
            comment=body.validated_data["comment"],
            notes=notes,
        )
        return Response(outputs.FamilySummarySerializer(family_summary(family)).data)


class FamilyResubmitApi(_FamilyTransitionApi):
    transition = staticmethod(services.family_resubmit)


class FamilyHistoryApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "revision",
                {"type": "integer", "minimum": 1},
                description="also the answers as they stood at this revision (404 if the family has not reached it)",
            )
        ],
        responses={200: outputs.FamilyHistorySerializer, **openapi.refusals(400, 401, 404)},
    )
    def get(self, request: Request, family_id: int) -> Response:
        user = _user(request)
        if user.role == Role.PEMKOT:
            raise NotFoundError("Keluarga tidak ditemukan.")
        family = _family(request, family_id)
        history = selectors.family_history(family=family)
        at = request.query_params.get("revision")
        extra: dict[str, Any] = {}
        if at is not None:
            # The schema says an integer from 1: anything else is malformed (400); a revision the
            # family has not reached (yet) is not found (404), as any well-formed id of nothing.
            if not text.is_integer(at) or int(at) < 1:
                raise ValidationError({"revision": [_("Revisi harus bilangan bulat mulai 1.")]})
            answers = selectors.family_answers_at(family=family, revision=int(at))
            if answers is None:
                raise NotFoundError(_("Revisi tidak ada untuk keluarga ini."))
            extra = {"answers_at": {"revision": int(at), "answers": answers}}
        _audit_supervisor_read(user, family, AuditAction.FAMILY_HISTORY_VIEW, f"revision={at}" if extra else "")
        return Response(
            outputs.FamilyHistorySerializer(
                {
                    **extra,
                    "revisions": [
                        {
                            "revision": r.revision,
                            "author": r.author.username,
                            "at": r.created_at.isoformat(),
                            "source": r.source,
                            "changes": r.changes,
                        }
                        for r in history["revisions"]
                    ],
                    "events": [
                        {
                            "from": e.from_status,
                            "to": e.to_status,
                            "actor": e.actor.username,
                            "at": e.at.isoformat(),
                            "comment": e.comment,
                        }
                        for e in history["events"]
                    ],
                }
            ).data
        )


class IdentifierRevealApi(APIView):
    class RevealSerializer(serializers.Serializer[Any]):
        member_line_no = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        reason = openapi.RequiredText(max_length=255)

    @extend_schema(
        request=RevealSerializer, responses={200: outputs.RevealedSerializer, **openapi.refusals(400, 403, 404, 429)}
    )
    def post(self, request: Request, family_id: int) -> Response:
        body = self.RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        family = _family(request, family_id)
        line = body.validated_data.get("member_line_no")
        member = None
        if line is not None:
            member = selectors.member_get(family=family, line_no=line)
            if member is None:
                raise NotFoundError("Anggota keluarga tidak ditemukan.")
        value = services.identifier_reveal(
            user=_user(request), family=family, member=member, reason=body.validated_data["reason"]
        )
        response = Response(outputs.RevealedSerializer({"kind": "nik" if member else "kk", "value": value}).data)
        response["Cache-Control"] = "no-store"
        return response


class PrelistApi(APIView):
    class NewSerializer(serializers.Serializer[Any]):
        head_name = openapi.RequiredText(max_length=150)
        address = serializers.CharField(
            max_length=255, required=False, allow_blank=True, default="", validators=[openapi.NO_NUL]
        )

    @extend_schema(responses={200: outputs.PrelistRowSerializer(many=True), **openapi.refusals(401, 404)})
    def get(self, request: Request, sls_id: int) -> Response:
        sls = _visible_sls(request, sls_id)
        rows = selectors.prelist_for_sls(user=_user(request), sls=sls)
        return Response(outputs.PrelistRowSerializer([prelist_row(r) for r in rows], many=True).data)

    @extend_schema(
        request=NewSerializer, responses={201: outputs.PrelistRowSerializer, **openapi.refusals(400, 403, 404, 409)}
    )
    def post(self, request: Request, sls_id: int) -> Response:
        sls = _visible_sls(request, sls_id)
        body = self.NewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.prelist_add_new(user=_user(request), sls=sls, **body.validated_data)
        return Response(outputs.PrelistRowSerializer(prelist_row(row)).data, status=status.HTTP_201_CREATED)


def prelist_row(row: PrelistFamily) -> dict[str, Any]:
    return {
        "id": row.pk,
        "line_no": row.line_no,
        "head_name": row.head_name,
        "address": row.address,
        "status": row.status,
        "family": row.family_id,
        "note": row.note,
    }


class PrelistStatusApi(APIView):
    class PrelistStatusSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(
            choices=[s for s in PrelistStatus.values if s not in (PrelistStatus.PENDING, PrelistStatus.NEW)]
        )
        family = serializers.IntegerField(required=False, allow_null=True)
        note = serializers.CharField(
            max_length=255, required=False, allow_blank=True, default="", validators=[openapi.NO_NUL]
        )

    @extend_schema(
        request=PrelistStatusSerializer,
        responses={200: outputs.PrelistRowSerializer, **openapi.refusals(400, 403, 404, 409)},
    )
    def post(self, request: Request, row_id: int) -> Response:
        user = _user(request)
        row = selectors.prelist_row_get_for_user(user=user, row_id=row_id)
        if row is None:
            raise Http404
        body = self.PrelistStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        family = None
        if body.validated_data.get("family"):
            family = _family(request, body.validated_data["family"])
        row = services.prelist_set_status(
            user=user,
            row=row,
            status=body.validated_data["status"],
            family=family,
            note=body.validated_data["note"],
        )
        return Response(outputs.PrelistRowSerializer(prelist_row(row)).data)


class _SLSConfirmationApi(APIView):
    """POST {comment?}: confirm or reopen an SLS (Koseka of the kecamatan or BPS admin)."""

    # Not `action`: DRF and drf-spectacular read that attribute as a viewset's action name.
    confirmation: Callable[..., SLSConfirmation]

    @extend_schema(
        request=CommentSerializer,
        responses={200: outputs.SLSConfirmationSerializer, **openapi.refusals(400, 403, 404, 409)},
    )
    def post(self, request: Request, sls_id: int) -> Response:
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sls = _visible_sls(request, sls_id)
        confirmation = type(self).confirmation(user=_user(request), sls=sls, comment=body.validated_data["comment"])
        answer = {"sls": sls.pk, "action": confirmation.action, "at": confirmation.at.isoformat()}
        return Response(outputs.SLSConfirmationSerializer(answer).data)


class SLSConfirmApi(_SLSConfirmationApi):
    confirmation = staticmethod(services.sls_confirm)


class SLSReopenApi(_SLSConfirmationApi):
    confirmation = staticmethod(services.sls_reopen)


class DuplicateListApi(ListAPIView):  # type: ignore[type-arg]
    """NIK / No. KK found on more than one family, for the supervisors (PML, Koseka, BPS admin): one
    page at a time (`{next, previous, results}`, the groups of up to 200 families, by each group's
    first family in scope), one grouped query per page (`selectors.duplicate_identifiers_for_user`);
    a PPL or Pemkot staff get 403."""

    serializer_class = outputs.DuplicateSerializer
    pagination_class = KeyCursorPagination

    def get_queryset(self) -> QuerySet[Family]:
        return selectors.family_none()  # the schema generator's; the rows come from the selector

    @extend_schema(
        operation_id="duplicates_list",
        responses={200: outputs.DuplicateSerializer(many=True), **openapi.refusals(401, 403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        if user.role not in (Role.PML, Role.KOSEKA, Role.BPS_ADMIN):
            raise NotAllowedError(_("Hanya PML, Koseka dan admin BPS yang melihat duplikat NIK / No. KK."))
        paginator = self.paginator
        assert isinstance(paginator, KeyCursorPagination)  # noqa: S101 - set above
        after, before = paginator.bounds(request)
        page = selectors.duplicate_identifiers_for_user(
            user=user, after=after, before=before, families=paginator.page_size
        )
        return paginator.keyed_response(
            self.get_serializer(page.groups, many=True).data,
            first=page.first_anchor,
            last=page.last_anchor,
            has_previous=page.has_previous,
            has_next=page.has_next,
        )


@require_GET
@gzip_page
def questionnaire_definition(request: HttpRequest, form_id: str, version: str) -> HttpResponse:
    """The definition as JSON at a stable URL: public (no personal data), cacheable for a year
    since a version never changes, with an ETag of its content."""
    definition = form.definition_or_none(form_id, version)
    if definition is None:
        return HttpResponse(status=404)
    etag = definition.etag
    # The gzipped answer carries the weak form W/"..." of the same tag (weak comparison, RFC 9110).
    known = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    response: HttpResponse = (
        HttpResponseNotModified()
        if etag in known
        else HttpResponse(definition.canonical_json, content_type="application/json")
    )
    # A 304 carries the same caching headers as the 200 would (RFC 9111: they update the stored copy).
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def questionnaire_index(request: HttpRequest) -> HttpResponse:
    """The list of form versions, newest last, each with its URL and content hash."""
    import json

    from django.urls import reverse

    items = [
        {
            "form": d.form,
            "version": d.version,
            "sha256": d.sha256,
            "url": reverse("questionnaire-definition", args=[d.form, d.version]),
        }
        for d in form.all_definitions()
    ]
    response = HttpResponse(
        json.dumps({"definitions": items, "current": items[-1] if items else None}),
        content_type="application/json",
    )
    response["Cache-Control"] = "no-cache"
    return response
