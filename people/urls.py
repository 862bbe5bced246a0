from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("mina-uppgifter/", views.my_data, name="my_data"),
    path("mina-uppgifter/registerutdrag.json", views.register_extract_json, name="extract_json"),
    path("mina-uppgifter/registerutdrag/", views.register_extract_html, name="extract_html"),
]
