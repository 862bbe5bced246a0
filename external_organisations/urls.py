from django.urls import path

from . import views

app_name = "external"

urlpatterns = [
    path("registrera/", views.register, name="register"),
    path("registrera/tack/", views.registered, name="registered"),
    path("bekrafta/<str:token>/", views.confirm, name="confirm"),
    path("inbjudan/<str:token>/", views.accept, name="accept"),
    path("min-organisation/", views.my_organisation, name="my_organisation"),
    path("min-organisation/bjud-in/", views.invite, name="invite"),
    path("min-organisation/lamna/", views.leave, name="leave"),
    path("min-organisation/diplom/<int:award_id>/", views.award_pdf, name="award_pdf"),
]
