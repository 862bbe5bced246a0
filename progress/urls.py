from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("modules/<int:page_id>/complete/", views.module_complete, name="module_complete"),
]
