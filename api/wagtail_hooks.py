"""Integration tokens in the Wagtail admin: administrators only.

Creating a token shows its secret once, on the page that answers the form (never in a
redirect, a message or a log); afterwards only its first characters are known.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import services
from .forms import IntegrationTokenForm
from .models import IntegrationToken, RequestLog


class AdministratorsPolicy(ModelPermissionPolicy):
    """Administrators only, whatever permissions a group was given; and nobody deletes a
    token (it is revoked, and its request log stays)."""

    def user_has_permission(self, user, action):
        return user.is_active and user.is_superuser and action != "delete"

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(IntegrationToken, AdministratorsPolicy(IntegrationToken))


class AdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TokenIndexView(AdministratorsOnly, IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            MenuItem(
                _("Requests"),
                url=reverse("api_token_log", args=[instance.pk]),
                icon_name="list-ul",
                priority=30,
            )
        )
        if not instance.is_revoked:
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("api_token_revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class TokenCreateView(AdministratorsOnly, CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        token, self.secret = services.token_create(
            name=data["name"],
            scopes=data["scopes"],
            units=data["units"] or [],
            whole_organisation=data["whole_organisation"],
            expires_at=data["expires_at"],
            created_by=self.request.user,
        )
        return token

    def save_action(self):
        response = TemplateResponse(
            self.request,
            "api/admin/token_created.html",
            {"token": self.object, "secret": self.secret, "index_url": reverse("api_tokens:index")},
        )
        # The secret must not stay in any cache on the way.
        response["Cache-Control"] = "no-store"
        return response


class TokenEditView(AdministratorsOnly, EditView):
    pass


class IntegrationTokenViewSet(ModelViewSet):
    model = IntegrationToken
    name = "api_tokens"
    url_prefix = "api-tokens"
    icon = "key"
    menu_label = _("Integration tokens")
    add_to_settings_menu = True
    index_view_class = TokenIndexView
    add_view_class = TokenCreateView
    edit_view_class = TokenEditView
    form_fields = ["name", "scopes", "whole_organisation", "units", "expires_at"]
    list_display = ["name", "prefix", "status", "expires_at", "created_at"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return IntegrationTokenForm


def _administrator(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


@never_cache
def revoke_view(request, token_id: int):
    _administrator(request)
    token = get_object_or_404(IntegrationToken, pk=token_id)
    if request.method == "POST":
        services.token_revoke(token=token, by=request.user)
        return redirect("api_tokens:index")
    return TemplateResponse(request, "api/admin/token_revoke.html", {"token": token})


def log_view(request, token_id: int):
    _administrator(request)
    token = get_object_or_404(IntegrationToken, pk=token_id)
    rows = RequestLog.objects.filter(token=token).order_by("-at", "-pk")[:200]
    return TemplateResponse(request, "api/admin/token_log.html", {"token": token, "rows": rows})


@hooks.register("register_admin_urls")
def register_token_urls():
    return [
        path("api-tokens/<int:token_id>/revoke/", revoke_view, name="api_token_revoke"),
        path("api-tokens/<int:token_id>/requests/", log_view, name="api_token_log"),
    ]


@hooks.register("register_admin_viewset")
def register_token_viewset():
    return IntegrationTokenViewSet()
