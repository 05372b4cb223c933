from django.urls import path

from fieldapp import api

urlpatterns = [
    path("auth/device/", api.DeviceSignInApi.as_view(), name="api-device-sign-in"),
    path("auth/device/wiped/", api.DeviceWipeConfirmApi.as_view(), name="api-device-wiped"),
    path("sync/pull/", api.SyncPullApi.as_view(), name="api-sync-pull"),
    path("sync/push/", api.SyncPushApi.as_view(), name="api-sync-push"),
    path("sync/prelist/", api.SyncPrelistApi.as_view(), name="api-sync-prelist"),
    path("sync/photos/missing/", api.PhotoMissingApi.as_view(), name="api-photo-missing"),
    path("sync/photos/<uuid:photo_uuid>", api.PhotoUploadApi.as_view(), name="api-photo-upload"),
]
