from django.urls import path

from ranking import views

app_name = "ranking"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("mulai/", views.run_start, name="start"),
    path("model/", views.model_list, name="models"),
    path("model/estimasi/", views.model_fit, name="model-fit"),
    path("model/estimasi/templat.csv", views.model_fit_template, name="model-fit-template"),
    path("model/<int:model_id>/aktifkan/", views.model_activate, name="model-activate"),
    path("<int:run_id>/", views.run_detail, name="run"),
    path("<int:run_id>/progres/", views.run_progress, name="progress"),
    path("<int:run_id>/batalkan/", views.run_cancel, name="cancel"),
    path("<int:run_id>/final/", views.run_finalise, name="finalise"),
]
