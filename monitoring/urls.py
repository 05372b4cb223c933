from django.urls import URLPattern, URLResolver, path

from monitoring import views, views_exports, views_quality, views_staff

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("kualitas/", views_quality.quality_report, name="quality"),
    path("kualitas/<str:check>/", views_quality.quality_list, name="quality-list"),
    path("petugas/", views_staff.staff_health, name="staff"),
    path("petugas/perangkat/<uuid:device_id>/cabut/", views_staff.device_revoke_view, name="device-revoke"),
    path("petugas/<int:user_id>/buka-kunci/", views_staff.signin_unlock_view, name="signin-unlock"),
    path("ekspor/", views_exports.export_list, name="exports"),
    path("ekspor/<int:job_id>/", views_exports.export_progress, name="export-progress"),
    path("ekspor/<int:job_id>/unduh/", views_exports.export_download, name="export-download"),
    path("ekspor/kodebook/<str:kind>.csv", views_exports.export_codebook, name="export-codebook"),
    # Progress dashboard, its lists and map (views.py, docs/monitoring.md).
    path("", views.dashboard, name="dashboard"),
    path("kecamatan/<str:code>/", views.kecamatan, name="kecamatan"),
    path("kelurahan/<str:code>/", views.kelurahan, name="kelurahan"),
    path("sls/<int:sls_id>/", views.sls, name="sls"),
    path("ppl/<int:user_id>/", views.ppl, name="ppl"),
    path("daftar/", views.count_list, name="list"),
    path("peta/wilayah.json", views.map_boundaries, name="map-boundaries"),
    path("peta/titik.json", views.map_points, name="map-points"),
]
