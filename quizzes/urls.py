from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("attempts/<int:attempt_id>/questions/<int:number>/", views.question, name="question"),
    path("attempts/<int:attempt_id>/review/", views.review, name="review"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
]
