from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("min-enhet/", views.my_unit, name="my_unit"),
]
