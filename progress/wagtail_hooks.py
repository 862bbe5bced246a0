from django.urls import path
from wagtail import hooks

from . import admin_views


@hooks.register("register_admin_urls")
def register_history_urls():
    return [
        path(
            "course-history/<int:person_id>/",
            admin_views.person_history,
            name="progress_person_history",
        )
    ]
