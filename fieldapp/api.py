"""HTTP side of the sync contract (docs/sync.md): device sign-in, pull, push, photo upload."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.utils.decorators import method_decorator
from django.views.decorators.gzip import gzip_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enumeration import devices
from enumeration.models import Device, Role, User
from fieldapp import prelist_sync, sync
from photos import imaging
from photos import selectors as photo_selectors
from photos import services as photo_services
from regsosek import openapi


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran first
    return user


class IsEnumerator(BasePermission):
    """The sync endpoints serve the PPL's own assignment, identifiers in full: PPL only."""

    message = "Sinkronisasi hanya untuk PPL."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.PPL)


def _device(request: Request) -> Device | None:
    return request.auth if isinstance(request.auth, Device) else None


class DeviceSignInApi(APIView):
    """POST {username, password, device_id, device_name} → {token, expires_at, user}."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # A wrong password or a revoked device is a 401 (with WWW-Authenticate), not a 403.
        return "Bearer"

    class SignInSerializer(serializers.Serializer[Any]):
        username = openapi.RequiredText(max_length=150)
        password = serializers.CharField(
            min_length=1, max_length=256, trim_whitespace=False, validators=[openapi.NO_NUL]
        )
        device_id = serializers.UUIDField()
        device_name = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default="", validators=[openapi.NO_NUL]
        )

    @extend_schema(
        request=SignInSerializer,
        responses={200: openapi.SignInResponseSerializer, **openapi.refusals(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        body = self.SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        signed = devices.device_sign_in(
            request=request._request,
            username=values["username"],
            password=values["password"],
            device_id=values["device_id"],
            device_name=values["device_name"],
        )
        user = signed.device.user
        response = Response(
            {
                "token": signed.token,
                "expires_at": signed.expires_at.isoformat(),
                "device_id": str(signed.device.pk),
                "user": {"username": user.username, "full_name": user.full_name, "role": user.role},
                # Opens the phone's data after a PIN reset (static/js/sync/keyring.js); no-store.
                "key_shares": signed.key_shares,
            }
        )
        response["Cache-Control"] = "no-store"
        return response


class DeviceWipeConfirmApi(APIView):
    """A revoked device reports that it wiped its data, with the token it held and its own
    `X-Device-ID` (a revoked device's token is good for nothing else). 401 without them, 409 for a
    device that is not revoked."""

    authentication_classes = [devices.WipeReportAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=openapi.WipeConfirmSerializer, responses={204: None, **openapi.refusals(400, 401, 409)})
    def post(self, request: Request) -> Response:
        device = _device(request)
        assert device is not None  # noqa: S101 - WipeReportAuthentication gives the device
        named = request.data.get("device_id") if isinstance(request.data, dict) else None
        if named is not None and str(named).lower() != str(device.pk):
            # The same refusal as a wrong X-Device-ID (docs/sync.md): 401 device_mismatch.
            message = "Bukan perangkat token ini."
            return Response({"code": "device_mismatch", "message": message, "wipe": False}, status=401)
        devices.device_confirm_wipe(device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)


@method_decorator(gzip_page, name="dispatch")
class SyncPullApi(APIView):
    permission_classes = [IsAuthenticated, IsEnumerator]

    @extend_schema(
        parameters=[OpenApiParameter("cursor", str, description="the cursor of the previous pull")],
        responses={200: openapi.PullResponseSerializer, **openapi.refusals(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        payload = sync.sync_pull(user=_user(request), cursor=request.query_params.get("cursor") or None)
        response = Response(payload)
        response["Cache-Control"] = "no-store"
        return response


def _batch(request: Request, key: str, limit: int, unit: str) -> list[Any] | Response:
    """The list under `key` of a JSON body, or the answer refusing it: 400 when it is not a list,
    413 when it is longer than `limit` (nothing is applied; the app halves the batch)."""
    items = request.data.get(key) if isinstance(request.data, dict) else None
    if not isinstance(items, list):
        return Response({"code": "invalid", "errors": {key: ["Harus daftar."]}}, status=400)
    if len(items) > limit:
        return Response(
            {"code": "batch_too_large", "max": limit, "message": f"Kirim paling banyak {limit} {unit}."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return items


class SyncPushApi(APIView):
    """POST {"families": [...]} → {"results": [one per family, same order]}."""

    permission_classes = [IsAuthenticated, IsEnumerator]

    @extend_schema(
        request=openapi.PushRequestSerializer,
        responses={200: openapi.PushResponseSerializer, **openapi.refusals(400, 401, 403, 413, 503)},
    )
    def post(self, request: Request) -> Response:
        items = _batch(request, "families", settings.SYNC_MAX_BATCH, "keluarga per batch")
        if isinstance(items, Response):
            return items
        try:
            results = sync.sync_push(user=_user(request), device=_device(request), items=items)
        except OperationalError:
            # The database failed under this batch (e.g. a lost connection); nothing was committed.
            response = Response({"code": "retry", "message": "Server sibuk; kirim ulang sebentar lagi."}, status=503)
            response["Retry-After"] = "5"
            return response
        return Response({"results": results})


class SyncPrelistApi(APIView):
    """POST {"marks": [...]} → {"results": [one per mark, same order]} (docs/sync.md, Prelist marks)."""

    permission_classes = [IsAuthenticated, IsEnumerator]

    @extend_schema(
        request=openapi.MarksRequestSerializer,
        responses={200: openapi.MarksResponseSerializer, **openapi.refusals(400, 401, 403, 413)},
    )
    def post(self, request: Request) -> Response:
        marks = _batch(request, "marks", prelist_sync.MAX_MARKS, "tanda VK1 per permintaan")
        if isinstance(marks, Response):
            return marks
        return Response({"results": prelist_sync.sync_prelist(user=_user(request), marks=marks)})


class RawBodyParser(BaseParser):
    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.PHOTO_MAX_BYTES
        data: bytes = stream.read(limit + 1) if stream is not None else b""
        return data


def _photo_refused(error: imaging.PhotoRejectedError) -> Response:
    """413 too large, 422 a file that is an image but cannot be used, 415 not an acceptable image."""
    code = 413 if error.code == "too_large" else 422 if error.code in ("corrupt", "too_many_pixels") else 415
    return Response({"code": error.code, "message": error.message}, status=code)


class PhotoUploadApi(APIView):
    """PUT /api/v1/sync/photos/<uuid> with the image as the body and headers X-Family-UUID and
    X-Content-SHA256. Idempotent: the same photo again is 200 with the stored state, nothing re-done."""

    permission_classes = [IsAuthenticated, IsEnumerator]

    parser_classes = [RawBodyParser]

    @extend_schema(
        request={"image/jpeg": OpenApiTypes.BINARY, "image/heic": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter("X-Family-UUID", OpenApiTypes.UUID, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "X-Content-SHA256", str, OpenApiParameter.HEADER, required=True, pattern="^[0-9a-fA-F]{64}$"
            ),
        ],
        responses={
            200: OpenApiResponse(openapi.PhotoStatusSerializer, description="already stored: nothing re-done"),
            201: openapi.PhotoStatusSerializer,
            **openapi.refusals(400, 401, 403, 404, 409, 413, 415, 422, 503, 507),
        },
    )
    def put(self, request: Request, photo_uuid: uuid.UUID) -> Response:
        try:
            family_uuid = uuid.UUID(request.headers.get("X-Family-UUID", ""))
        except ValueError:
            return Response({"code": "invalid", "errors": {"X-Family-UUID": ["Harus UUID."]}}, status=400)
        sha = request.headers.get("X-Content-SHA256", "").lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            return Response(
                {"code": "invalid", "errors": {"X-Content-SHA256": ["Harus SHA-256 heksadesimal."]}}, status=400
            )
        # Scope first: a photo of another SLS is never answered from here, whatever hash is sent.
        existing = photo_selectors.photo_get_for_user(user=_user(request), client_uuid=photo_uuid)
        if existing is not None and existing.sha256 == sha:
            # A photo the processing task rejected gets the refusal the upload's check would have given.
            refusal = photo_services.photo_upload_refusal(existing)
            return _photo_refused(refusal) if refusal else Response(sync.photo_status(existing))
        data = request.data if isinstance(request.data, bytes) else b""
        if len(data) > settings.PHOTO_MAX_BYTES:
            return _photo_refused(imaging.PhotoRejectedError("too_large"))
        try:
            receipt = photo_services.photo_receive(
                user=_user(request), client_uuid=photo_uuid, family_uuid=family_uuid, sha256=sha, data=data
            )
        except imaging.PhotoRejectedError as error:
            return _photo_refused(error)
        refusal = photo_services.photo_upload_refusal(receipt.photo)
        if refusal is not None:
            return _photo_refused(refusal)
        return Response(
            sync.photo_status(receipt.photo), status=status.HTTP_201_CREATED if receipt.created else status.HTTP_200_OK
        )


class PhotoMissingApi(APIView):
    """POST {"photos": [uuid, ...]} → {"missing": [the ones the server does not hold]}."""

    permission_classes = [IsAuthenticated, IsEnumerator]

    @extend_schema(
        request=openapi.PhotoListSerializer,
        responses={200: openapi.PhotoMissingSerializer, **openapi.refusals(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        raw = request.data.get("photos") if isinstance(request.data, dict) else None
        if not isinstance(raw, list) or len(raw) > 1000:
            return Response({"code": "invalid", "errors": {"photos": ["Daftar UUID (maksimal 1000)."]}}, status=400)
        try:
            keys = [uuid.UUID(str(value)) for value in raw]
        except ValueError:
            return Response({"code": "invalid", "errors": {"photos": ["Harus UUID."]}}, status=400)
        return Response({"missing": photo_services.photos_missing(user=_user(request), client_uuids=keys)})
