"""Read APIs over areas, staff and assignments, scoped by role (enumeration.scoping)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enumeration import selectors
from enumeration.models import SLS, User
from regsosek import openapi

# [0-9], not \d: Python's \d takes other scripts' digits, the schema's (ECMAScript) does not.
KELURAHAN_CODE = re.compile(r"^[0-9]{10}$")


class MeApi(APIView):
    class MeSerializer(serializers.Serializer[Any]):
        username = serializers.CharField()
        full_name = serializers.CharField()
        role = serializers.CharField()
        kecamatan = serializers.CharField(source="kecamatan_id", allow_null=True)
        supervisor = serializers.CharField(source="supervisor.username", allow_null=True, default=None)

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.MeSerializer(request.user).data)


class SLSListApi(APIView):
    class SLSSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        full_code = serializers.CharField()
        kelurahan = serializers.CharField(source="kelurahan_id")
        kelurahan_name = serializers.CharField(source="kelurahan.name")
        kecamatan = serializers.CharField(source="kelurahan.kecamatan_id")
        code = serializers.CharField()
        sub_code = serializers.CharField()
        name = serializers.CharField()
        is_synthetic = serializers.BooleanField()
        ppl = serializers.SerializerMethodField()

        def get_ppl(self, obj: SLS) -> str | None:
            active = getattr(obj, "active_assignments", [])
            return active[0].ppl.username if active else None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kelurahan",
                {"type": "string", "pattern": KELURAHAN_CODE.pattern},
                description="only this kelurahan (its 10-digit BPS code)",
            )
        ],
        responses={200: SLSSerializer(many=True), **openapi.refusals(400)},
    )
    def get(self, request: Request) -> Response:
        # A filter given must be well formed, an empty one too (as the family list's filters).
        kelurahan = request.query_params.get("kelurahan")
        if kelurahan is not None and not KELURAHAN_CODE.fullmatch(kelurahan):
            raise ValidationError({"kelurahan": [_("Kode kelurahan BPS harus 10 angka.")]})
        qs = selectors.sls_list_for_user(user=request.user, kelurahan_code=kelurahan)  # type: ignore[arg-type]
        return Response(self.SLSSerializer(qs, many=True).data)


class StaffListApi(APIView):
    class StaffSerializer(serializers.Serializer[Any]):
        username = serializers.CharField()
        full_name = serializers.CharField()
        role = serializers.CharField()
        supervisor = serializers.SerializerMethodField()
        kecamatan = serializers.CharField(source="kecamatan_id", allow_null=True)
        is_active = serializers.BooleanField()

        def get_supervisor(self, obj: User) -> str | None:
            return obj.supervisor.username if obj.supervisor else None

    @extend_schema(responses=StaffSerializer(many=True))
    def get(self, request: Request, *args: Any) -> Response:
        qs = selectors.staff_list_for_user(user=request.user)  # type: ignore[arg-type]
        return Response(self.StaffSerializer(qs, many=True).data)
