"""HR's and external coordinators' registrations in the Wagtail admin: list, approve, decline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import selectors, services
from .forms import DecisionForm
from .models import ExternalOrganisation, Status


class CoordinatorMixin:
    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_coordinate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OrganisationIndexView(CoordinatorMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "external_organisations/admin/index.html"
    header_icon = "group"
    page_title = _("External organisations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Waiting decisions first; unconfirmed registrations are not HR's business yet.
        context["organisations"] = (
            ExternalOrganisation.objects.exclude(status=Status.UNCONFIRMED)
            .annotate(
                waiting=Case(
                    When(status=Status.PENDING, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("waiting", "name")[:500]
        )
        return context


class OrganisationDecideView(CoordinatorMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "external_organisations/admin/decide.html"
    header_icon = "group"
    page_title = _("External organisation")

    def get_organisation(self) -> ExternalOrganisation:
        organisation = (
            ExternalOrganisation.objects.exclude(status=Status.UNCONFIRMED)
            .filter(pk=self.kwargs["organisation_id"])
            .first()
        )
        if organisation is None:
            raise Http404
        return organisation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.get_organisation()
        context.update(
            organisation=organisation,
            form=kwargs.get("form") or DecisionForm(),
            pending=organisation.status == Status.PENDING,
            members=organisation.memberships.count(),
        )
        return context

    def post(self, request, *args, **kwargs):
        organisation = self.get_organisation()
        form = DecisionForm(request.POST)
        form.is_valid()
        message = form.cleaned_data.get("message", "")
        try:
            if request.POST.get("decision") == "approve":
                services.organisation_approve(
                    organisation=organisation, user=request.user, message=message
                )
                messages.success(request, _("The organisation was approved and told by email."))
            else:
                services.organisation_decline(
                    organisation=organisation, user=request.user, message=message
                )
                messages.success(request, _("The registration was declined and told by email."))
        except services.ExternalError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("external_organisations_admin")
