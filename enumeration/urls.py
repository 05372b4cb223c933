from django.urls import path
from django.views.decorators.gzip import gzip_page
from django.views.i18n import JavaScriptCatalog

from enumeration import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("tim/", views.team, name="team"),
    path("sls/<int:sls_id>/", views.sls_detail, name="sls-detail"),
    # The enumerator app (PWA): its scope is /app/.
    path("app/", pwa.app_shell, name="pwa-shell"),
    path("app/sw.js", pwa.service_worker, name="pwa-sw"),
    path("app/manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("app/jsi18n/", gzip_page(JavaScriptCatalog.as_view(domain="djangojs")), name="pwa-i18n"),
]
