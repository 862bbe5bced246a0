"""The person's own data: profile, the sex field they may correct, the register extract."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import extract_display, gdpr
from .models import Person, Sex


class SexForm(forms.Form):
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Used only for statistics where groups smaller than five people are never shown. "
            "Nobody but HR and you can see it next to your name."
        ),
    )


def my_data(request: HttpRequest) -> HttpResponse:
    person = Person.objects.select_related("unit").filter(user=request.user).first()
    form = SexForm(request.POST or None, initial={"sex": person.sex if person else Sex.OTHER})
    if request.method == "POST" and person is None:
        messages.error(request, _("There is no HR profile to save this in."))
        return redirect("people:my_data")
    if request.method == "POST" and form.is_valid():
        person.sex = form.cleaned_data["sex"]
        person.save(update_fields=["sex", "updated_at"])
        messages.success(request, _("Saved."))
        return redirect("people:my_data")
    return TemplateResponse(
        request,
        "people/my_data.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


def register_extract_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(gdpr.register_extract(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="registerutdrag-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


def register_extract_html(request: HttpRequest) -> HttpResponse:
    extract = gdpr.register_extract(request.user)
    created, sections = extract_display.readable_extract(extract, gdpr.PROVIDERS)
    response = TemplateResponse(
        request, "people/register_extract.html", {"sections": sections, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response
