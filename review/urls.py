from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("families/<int:family_id>/", views.family_detail, name="family"),
    path("families/<int:family_id>/approve/", views.family_approve, name="approve"),
    path("families/<int:family_id>/return/", views.family_return, name="return"),
    path("families/<int:family_id>/reveal/", views.identifier_reveal, name="reveal"),
    path("sls/<int:sls_id>/", views.sls_detail, name="sls"),
    path("tim/", views.team, name="team"),
    path("tim/<int:pml_id>/", views.team, name="team_of"),
    path("sls/<int:sls_id>/confirm/", views.sls_confirm, name="sls_confirm"),
    path("photos/<uuid:photo_uuid>/", views.photo, name="photo"),
    path("photos/<uuid:photo_uuid>/thumb/", views.photo, {"which": "thumb"}, name="photo_thumb"),
]
