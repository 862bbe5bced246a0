"""Public registration and invitation pages, and the contact person's own page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from diplomas.views import private
from lms.ratelimit import hit_client

from . import selectors, services
from .forms import AcceptInvitationForm, InviteForm, LeaveForm, RegistrationForm

# Per client address: a handful of registrations an hour is plenty for a person at a desk.
REGISTER_LIMIT, REGISTER_WINDOW = 10, 3600
CONFIRM_LIMIT, CONFIRM_WINDOW = 20, 3600
ACCEPT_LIMIT, ACCEPT_WINDOW = 20, 3600


def _limited(request: HttpRequest, scope: str, limit: int, window: int) -> HttpResponse | None:
    verdict = hit_client(request, scope, limit=limit, window=window)
    if verdict.allowed:
        return None
    response = TemplateResponse(
        request,
        "external_organisations/limited.html",
        {"minutes": max(1, verdict.retry_after // 60)},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return private(response)


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if refused := _limited(request, "extorg-register", REGISTER_LIMIT, REGISTER_WINDOW):
            return refused
        if form.is_valid():
            services.registration_submit(
                name=form.cleaned_data["name"],
                org_number=form.cleaned_data["org_number"],
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
                consent=form.cleaned_data["consent"],
            )
            # The same answer whether the organisation or email was known (no enumeration).
            return redirect("external:registered")
    return TemplateResponse(request, "external_organisations/register.html", {"form": form})


@login_not_required
@require_safe
def registered(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "external_organisations/registered.html", {})


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that open links must not confirm anything.
    context = {"token": token}
    if request.method == "POST":
        if refused := _limited(request, "extorg-confirm", CONFIRM_LIMIT, CONFIRM_WINDOW):
            return refused
        try:
            services.registration_confirm(token=token)
        except services.ExternalError as error:
            context["error"] = str(error)
            return private(
                TemplateResponse(
                    request, "external_organisations/confirm.html", context, status=400
                )
            )
        context["done"] = True
    return private(TemplateResponse(request, "external_organisations/confirm.html", context))


@login_not_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_by_token(token)
    except services.ExternalError as error:
        return private(
            TemplateResponse(
                request, "external_organisations/accept.html", {"error": str(error)}, status=400
            )
        )
    form = AcceptInvitationForm(request.POST or None)
    context = {"form": form, "invitation": invitation}
    if request.method == "POST":
        if refused := _limited(request, "extorg-accept", ACCEPT_LIMIT, ACCEPT_WINDOW):
            return refused
        if form.is_valid():
            try:
                services.invitation_accept(token=token, **form.cleaned_data)
            except services.ExternalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your account is ready. Log in with your email."))
                return redirect("login")
    return private(TemplateResponse(request, "external_organisations/accept.html", context))


def _contact_organisation(request: HttpRequest):
    organisation = selectors.contact_organisation(request.user)
    if organisation is None:  # members, employees, other organisations: no such page
        raise Http404
    return organisation


@require_safe
def my_organisation(request: HttpRequest) -> HttpResponse:
    organisation = _contact_organisation(request)
    return private(
        TemplateResponse(
            request,
            "external_organisations/my_organisation.html",
            {
                "organisation": organisation,
                "rows": selectors.organisation_progress(organisation=organisation),
                "invitations": selectors.invitations_of(organisation)[:200],
                "invite_form": InviteForm(),
                "leave_form": LeaveForm(),
                "limit": services.MAX_INVITATIONS_PER_REQUEST,
            },
        )
    )


@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    organisation = _contact_organisation(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        addresses = services.parse_addresses(form.cleaned_data["addresses"])
        try:
            result = services.invitations_send(
                organisation=organisation, user=request.user, addresses=addresses
            )
        except services.ExternalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Invitations sent: %(n)s.") % {"n": len(result.sent)})
            if result.already:
                messages.info(
                    request,
                    _("Already invited or members, not sent again: %(list)s")
                    % {"list": ", ".join(result.already[:20])},
                )
    else:
        messages.error(request, _("Write at least one email address."))
    return redirect("external:my_organisation")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    organisation = _contact_organisation(request)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that your organisation leaves."))
        return redirect("external:my_organisation")
    services.organisation_leave(organisation=organisation, user=request.user)
    from django.contrib.auth import logout

    logout(request)  # the contact's own account is closed too
    return TemplateResponse(request, "external_organisations/left.html", {})


@require_safe
def award_pdf(request: HttpRequest, award_id: int) -> HttpResponse:
    award = selectors.award_of_contact(request.user, award_id)
    if award is None:
        raise Http404
    response = HttpResponse(services.award_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="diplom-{award.code}.pdf"'
    return private(response)
