from django.urls import path

from . import views

urlpatterns = [
    path("mina-kurser/<int:course_id>/diplom/", views.my_diploma, name="diploma_mine"),
    path("verify/", views.verify_form, name="diploma_verify_form"),
    path("verify/<str:code>/", views.verify, name="diploma_verify"),
]
