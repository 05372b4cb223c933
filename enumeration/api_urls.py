from django.urls import path

from enumeration.api import MeApi, SLSListApi, StaffListApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path("sls/", SLSListApi.as_view(), name="api-sls-list"),
    path("staff/", StaffListApi.as_view(), name="api-staff-list"),
]
