"""Admin for BPS Kota admins: areas, staff, teams, assignments and CSV imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.widgets import Script
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from audit.models import AuditAction
from audit.services import audit_record
from enumeration import scoping
from enumeration.imports import IMPORTERS, run_import
from enumeration.models import SLS, Assignment, Device, KabKota, Kecamatan, Kelurahan, Role, SyntheticDataset, User
from enumeration.services import staff_problems


class WKTGeometryField(gis_forms.GeometryField):
    """A boundary as WKT text, parsed by GEOS: Django's map widget loaded OpenLayers from a CDN and
    ran an inline script (no network at run time, a strict Content-Security-Policy), and GeoJSON
    would reach GDAL, which cannot block file or network access (docs/architecture.md)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            raise ValidationError(
                _("Tulis batas wilayah sebagai WKT, mis. MULTIPOLYGON(((...))))."), code="invalid_geom"
            )
        return super().to_python(value)


class BPSAdminOnly(AuditedModelAdmin):
    """Every permission comes from the role, not from Django's per-model permission table. Every
    add, change and delete is recorded in the audit log (`AuditedModelAdmin`)."""

    formfield_overrides = {
        GeometryField: {"form_class": WKTGeometryField, "widget": forms.Textarea(attrs={"rows": 4})},
    }

    def has_module_permission(self, request: HttpRequest) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]


class ReadOnly(BPSAdminOnly):
    """Rows that change only through services (records, with their revisions and review events) or
    from reference data (areas, from `load_wilayah`), never by hand."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BoundaryMapMixin:
    """The stored boundary drawn on a map from the project's own files (Leaflet in the page bundle,
    no tiles), instead of its WKT text; the WKT stays the way to edit one (`WKTGeometryField`)."""

    class Media:
        js = [Script("dist/pages/admin-boundary.js", type="module")]
        css = {"all": ["dist/pages/admin-boundary.css"]}

    @admin.display(description=_("peta batas wilayah"))
    def boundary_map(self, obj: Any) -> str:
        boundary = getattr(obj, "boundary", None)
        if boundary is None:
            return _("Batas wilayah belum ada.")  # type: ignore[return-value]
        return format_html(
            '<div class="boundary-map" data-boundary-map data-geojson="{}" role="img" aria-label="{}"></div>',
            boundary.geojson,
            _("Peta batas wilayah %(name)s") % {"name": obj.name},
        )


@admin.register(KabKota)
class KabKotaAdmin(ReadOnly):
    list_display = ["bps_code", "kemendagri_code", "name", "provinsi_name"]


@admin.register(Kecamatan)
class KecamatanAdmin(BoundaryMapMixin, ReadOnly):
    list_display = ["bps_code", "kemendagri_code", "name", "bps_name", "area_km2"]
    search_fields = ["bps_code", "kemendagri_code", "name"]
    exclude = ["boundary"]
    readonly_fields = ["boundary_map"]


@admin.register(Kelurahan)
class KelurahanAdmin(BoundaryMapMixin, ReadOnly):
    list_display = ["bps_code", "kemendagri_code", "name", "kecamatan", "area_km2"]
    list_filter = ["kecamatan"]
    search_fields = ["bps_code", "kemendagri_code", "name"]
    exclude = ["boundary"]
    readonly_fields = ["boundary_map"]


class AssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Assignment
    fk_name = "sls"
    extra = 0
    fields = ("ppl", "started_at", "ended_at", "assigned_by", "ended_by", "end_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SLS)
class SLSAdmin(BoundaryMapMixin, BPSAdminOnly):
    list_display = ["full_code", "name", "kelurahan", "is_synthetic"]
    list_filter = ["kelurahan__kecamatan", "is_synthetic"]
    search_fields = ["code", "name", "kelurahan__name", "kelurahan__bps_code"]
    list_select_related = ["kelurahan"]
    inlines = [AssignmentInline]
    readonly_fields = ["is_synthetic", "boundary_map"]


class TeamRulesMixin(forms.ModelForm):  # type: ignore[type-arg]  # generic over the model
    """The same team rules as the CSV import (services.staff_problems), on the admin forms."""

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        supervisor, kecamatan = data.get("supervisor"), data.get("kecamatan")
        for field, reason in staff_problems(
            role=data.get("role") or "",
            supervisor=supervisor,
            kecamatan_id=kecamatan.pk if kecamatan else None,
        ):
            self.add_error(field if field in self.fields else None, reason)
        instance = self.instance
        leaves_ppl = data.get("role") != Role.PPL or not data.get("is_active", True)
        if (
            instance.pk
            and instance.role == Role.PPL
            and leaves_ppl
            and Assignment.objects.filter(ppl=instance, ended_at__isnull=True).exists()
        ):
            self.add_error("role", _("PPL ini masih memiliki penugasan SLS aktif; alihkan dulu penugasannya"))
        return data


class StaffChangeForm(TeamRulesMixin, UserChangeForm):  # type: ignore[type-arg]
    pass


class StaffCreationForm(TeamRulesMixin, UserCreationForm):  # type: ignore[type-arg]
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined,misc]  # stubs type Meta as Any
        model = User
        fields = ("username", "full_name", "role", "supervisor", "kecamatan")


def _active_device_counts(users: list[User]) -> dict[int, int]:
    rows = Device.objects.filter(user__in=users, revoked_at__isnull=True).values("user_id").annotate(n=Count("pk"))
    return {row["user_id"]: row["n"] for row in rows}


@admin.register(User)
class StaffAdmin(UserAdmin, BPSAdminOnly):  # type: ignore[type-arg]
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "full_name", "role", "supervisor", "kecamatan", "is_active", "is_synthetic"]
    list_filter = ["role", "is_active", "kecamatan", "is_synthetic"]
    search_fields = ["username", "full_name"]
    ordering = ["username"]
    raw_id_fields = ["supervisor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Petugas"), {"fields": ("full_name", "role", "supervisor", "kecamatan", "is_active")}),
        (_("Teknis"), {"fields": ("is_staff", "is_superuser", "last_login", "date_joined", "is_synthetic")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "supervisor",
                    "kecamatan",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "is_synthetic", "is_superuser"]
    actions = ["end_sessions_and_devices"]

    @admin.action(description=_("Akhiri sesi dan perangkat (petugas berhenti atau akun disalahgunakan)"))
    def end_sessions_and_devices(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """Asks first (a page listing the people and their devices), then ends every web session and
        revokes every device of each, optionally blocking sign-in (`sessions.user_sessions_end`)."""
        from enumeration.sessions import user_sessions_end

        me = request.user.pk or 0
        users = list(queryset.exclude(pk=me))
        if request.POST.get("confirm") != "yes":
            counts = _active_device_counts(users)
            context = {
                **self.admin_site.each_context(request),
                "title": _("Akhiri sesi dan perangkat"),
                "rows": [(user, counts.get(user.pk, 0)) for user in users],
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "self_selected": queryset.filter(pk=me).exists(),
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/enumeration/end_sessions.html", context)
        block = request.POST.get("block_sign_in") == "1"
        for user in users:
            ended = user_sessions_end(user=user, by=request.user, block_sign_in=block)  # type: ignore[arg-type]
            self.message_user(
                request,
                _("%(user)s: %(s)d sesi diakhiri, %(d)d perangkat dicabut%(blocked)s.")
                % {
                    "user": user.username,
                    "s": ended.sessions,
                    "d": ended.devices,
                    "blocked": _("; tidak dapat masuk lagi sampai admin memberi kata sandi baru")
                    if ended.sign_in_blocked
                    else "",
                },
            )
        return None

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        obj.is_staff = obj.role == "bps_admin"
        super().save_model(request, obj, form, change)


@admin.register(Assignment)
class AssignmentAdmin(BPSAdminOnly):
    list_display = ["sls", "ppl", "started_at", "ended_at", "end_reason"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter), "sls__kelurahan__kecamatan"]
    search_fields = ["ppl__username", "sls__kelurahan__name", "sls__code"]
    list_select_related = ["sls__kelurahan", "ppl"]
    readonly_fields = ["sls", "ppl", "started_at", "ended_at", "assigned_by", "ended_by", "end_reason"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Assignments change through the CSV import (or the assignment services), which keep history.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="enumeration_import")]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = CSVImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = run_import(form.cleaned_data["kind"], data=upload.read(), by=request.user)  # type: ignore[arg-type]
            if report.ok:
                audit_record(
                    action=AuditAction.ADMIN_IMPORT,
                    actor=request.user,
                    object_type=f"import.{form.cleaned_data['kind']}",
                    detail=f"rows={report.rows} created={report.created} updated={report.updated}",
                )
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": _("Impor CSV: SLS, petugas, penugasan"),
        }
        return TemplateResponse(request, "admin/enumeration/import.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return super().get_queryset(request)


@admin.register(SyntheticDataset)
class SyntheticDatasetAdmin(ReadOnly):
    list_display = ["seed", "families", "created_at", "summary"]


class CSVImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis data"), choices=[])
    file = forms.FileField(label=_("File CSV (UTF-8, baris pertama judul kolom)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 - declared just above
        kind.choices = [(k, label) for k, (label, _importer) in IMPORTERS.items()]


@admin.register(Device)
class DeviceAdmin(BPSAdminOnly):
    list_display = ["pk", "user", "name", "created_at", "last_seen_at", "revoked_at", "wipe_confirmed_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "name"]
    readonly_fields = [
        "id",
        "user",
        "name",
        "created_at",
        "last_seen_at",
        "revoked_at",
        "revoked_by",
        "wipe_confirmed_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # devices register themselves at sign-in

    @admin.action(description=_("Cabut perangkat (ponsel hilang): hapus data lokal di kontak berikutnya"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        from enumeration.devices import device_revoke

        for device in queryset:
            device_revoke(device=device, by=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("%(n)d perangkat dicabut.") % {"n": queryset.count()})
