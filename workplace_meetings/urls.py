from django.urls import path

from . import views

app_name = "workplace_meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("<int:meeting_id>/samtalsguide/", views.meeting_guide, name="meeting_guide"),
    path("<int:meeting_id>/gaster/", views.meeting_add_guest, name="meeting_add_guest"),
    path("<int:meeting_id>/genomford/", views.meeting_hold, name="meeting_hold"),
    path("<int:meeting_id>/rattelse/", views.meeting_correct, name="meeting_correct"),
    path("<int:meeting_id>/stall-in/", views.meeting_cancel, name="meeting_cancel"),
]
