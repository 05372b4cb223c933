from django.urls import path
from django.views.decorators.gzip import gzip_page
from django.views.i18n import JavaScriptCatalog

from fieldapp import views

urlpatterns = [
    # The enumerator app (PWA): its scope is /app/.
    path("app/", views.app_shell, name="pwa-shell"),
    path("app/sw.js", views.service_worker, name="pwa-sw"),
    path("app/manifest.webmanifest", views.manifest, name="pwa-manifest"),
    path("app/jsi18n/", gzip_page(JavaScriptCatalog.as_view(domain="djangojs")), name="pwa-i18n"),
]
