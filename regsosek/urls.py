from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from regsosek.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("enumeration.api_urls")),
    path("api/v1/", include("households.api_urls")),
    path("api/v1/", include("fieldapp.api_urls")),
    path("review/", include("review.urls")),
    path("pemantauan/", include("monitoring.urls")),
    path("peringkat/", include("ranking.urls")),
    path("pemkot/", include("fkp.urls")),
    path("", include("oversight.urls")),
    path("", include("enumeration.urls")),
    path("", include("fieldapp.urls")),
]

handler500 = "regsosek.errors.server_error"
