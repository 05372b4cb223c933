from django.urls import path

from enumeration import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tim/", views.team, name="team"),
    path("sls/<int:sls_id>/", views.sls_detail, name="sls-detail"),
]
