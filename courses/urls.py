from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("mina-kurser/", views.my_courses, name="my_courses"),
]
