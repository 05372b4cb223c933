from django.urls import URLPattern, URLResolver, path

from monitoring import views_exports, views_quality, views_staff

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("kualitas/", views_quality.quality_report, name="quality"),
    path("kualitas/<str:check>/", views_quality.quality_list, name="quality-list"),
    path("petugas/", views_staff.staff_health, name="staff"),
    path("petugas/perangkat/<uuid:device_id>/cabut/", views_staff.device_revoke_view, name="device-revoke"),
    path("ekspor/", views_exports.export_list, name="exports"),
    path("ekspor/<int:job_id>/", views_exports.export_progress, name="export-progress"),
    path("ekspor/<int:job_id>/unduh/", views_exports.export_download, name="export-download"),
    path("ekspor/kodebook/<str:kind>.csv", views_exports.export_codebook, name="export-codebook"),
]
