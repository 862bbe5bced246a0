from django.urls import path

from . import views

app_name = "modules"

urlpatterns = [
    path("<int:page_id>/films/<str:block_id>/progress/", views.film_progress, name="film_progress"),
    path(
        "<int:page_id>/films/<str:block_id>/transcript-read/",
        views.transcript_read,
        name="transcript_read",
    ),
    path(
        "<int:page_id>/reflections/<str:block_id>/", views.reflection_save, name="reflection_save"
    ),
    path("<int:page_id>/quiz/<str:block_id>/", views.quiz_start, name="quiz_start"),
]
