from django.urls import URLPattern, URLResolver, path

from monitoring import views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
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
