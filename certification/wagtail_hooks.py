from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import DeleteView
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_views, selectors
from .models import CertificationProgramme, Evidence


@hooks.register("register_admin_urls")
def register_certification_urls():
    return [
        path("certification/", admin_views.OverviewView.as_view(), name="certification_admin"),
        path(
            "certification/<int:programme_id>/units/<int:unit_id>/",
            admin_views.UnitView.as_view(),
            name="certification_admin_unit",
        ),
        path(
            "certification/<int:programme_id>/units/<int:unit_id>/certify/",
            admin_views.certify,
            name="certification_admin_certify",
        ),
        path(
            "certification/evidence/<int:evidence_id>/review/",
            admin_views.review,
            name="certification_admin_review",
        ),
        path(
            "certification/evidence/<int:evidence_id>/file/",
            admin_views.evidence_file,
            name="certification_admin_evidence_file",
        ),
        path(
            "certification/certificates/<int:certification_id>/pdf/",
            admin_views.certificate_pdf,
            name="certification_admin_pdf",
        ),
    ]


class ProgrammeDeleteView(DeleteView):
    """A programme that has certified a unit or received evidence is history: it is made
    inactive, not deleted (certificates are never deleted)."""

    def form_valid(self, form):
        programme = self.object
        if (
            programme.certifications.exists()
            or Evidence.objects.filter(criterion__programme=programme).exists()
        ):
            messages.error(
                self.request,
                _(
                    "The programme has certificates or evidence and cannot be deleted. Make it "
                    "inactive instead."
                ),
            )
            return redirect(self.index_url_name)
        return super().form_valid(form)


class ProgrammeViewSet(ModelViewSet):
    """HR defines programmes and their criteria (an inline list) in one form."""

    model = CertificationProgramme
    name = "certification_programmes"
    url_prefix = "certification/programmes"
    icon = "success"
    menu_label = _("Certification programmes")
    add_to_admin_menu = False
    list_display = ["name", "validity_months", "active"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False
    delete_view_class = ProgrammeDeleteView


programme_viewset = ProgrammeViewSet()


@hooks.register("register_admin_viewset")
def register_programme_viewset():
    return programme_viewset


class CertificationMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_manage(request.user)


class ProgrammeMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("certification.view_certificationprogramme")


@hooks.register("register_reports_menu_item")
def register_certification_menu_item():
    return CertificationMenuItem(
        _("Workplace certification"),
        reverse("certification_admin"),
        icon_name="success",
        order=740,
    )


@hooks.register("register_reports_menu_item")
def register_programme_menu_item():
    return ProgrammeMenuItem(
        _("Certification programmes"),
        reverse(programme_viewset.get_url_name("index")),
        icon_name="success",
        order=741,
    )
