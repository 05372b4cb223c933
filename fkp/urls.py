from django.urls import URLPattern, URLResolver

app_name = "fkp"

urlpatterns: list[URLPattern | URLResolver] = []
