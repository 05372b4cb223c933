from django.urls import URLPattern, URLResolver

app_name = "ranking"

urlpatterns: list[URLPattern | URLResolver] = []
