from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accessibility import views as accessibility_views
from api import urls as api_urls
from certification import urls as certification_urls
from courses import urls as course_urls
from diplomas import urls as diploma_urls
from external_organisations import urls as external_urls
from modules import urls as module_urls
from people import urls as people_urls
from progress import urls as progress_urls
from quizzes import urls as quiz_urls
from reports import urls as report_urls
from workplace_meetings import urls as workplace_meeting_urls

from . import media, views, views_accounts

urlpatterns = [
    path("health/", views.health_view, name="health"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_urls.urlpatterns, "api-v1"), namespace="api-v1")),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("people.sso_urls")),
    # Choosing the interface language must work before login too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Uploaded files (films, captions, images) for logged-in users, with Range requests.
    path("media/<path:path>", media.serve_media, name="media"),
    path("tillganglighet/", accessibility_views.statement, name="accessibility_statement"),
    path("", include(course_urls)),
    path("", include(people_urls)),
    path("", include(report_urls)),
    path("", include(diploma_urls)),
    path("", include(certification_urls)),
    path("modules/", include(module_urls)),
    path("progress/", include(progress_urls)),
    path("quiz/", include(quiz_urls)),
    path("arbetsplatstraffar/", include(workplace_meeting_urls)),
    path("organisationer/", include(external_urls)),
]

# Wagtail's page tree serves everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
