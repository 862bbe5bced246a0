from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from . import selectors, services


@require_POST
def module_complete(request: HttpRequest, page_id: int) -> HttpResponse:
    module = get_object_or_404(Page.objects.live(), pk=page_id).specific
    # Only modules, published all the way up and open to this user by Wagtail's privacy rules.
    if not hasattr(module, "unmet_requirements") or not selectors.page_open_to(module, request):
        raise Http404
    try:
        result = services.module_complete(user=request.user, module=module)
    except services.ProgressError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(module.url)
    state = result.course_state
    if result.completion is not None:
        messages.success(
            request,
            _("Well done! You have completed the course “%(title)s”.")
            % {"title": state.course.title},
        )
        return redirect(state.course.url)
    next_module = state.next_module(module.pk)
    messages.success(request, _("The module “%(title)s” is done.") % {"title": module.title})
    if next_module is not None:
        return redirect(next_module.page.url)
    return redirect(state.course.url)
