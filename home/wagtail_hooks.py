from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page


@hooks.register("before_serve_page")
def require_login_for_private_page_types(
    page: Page, request: HttpRequest, serve_args, serve_kwargs
):
    """Pages are for logged-in staff unless their type declares `is_public = True`."""
    if request.user.is_authenticated or getattr(page.specific_class, "is_public", False):
        return None
    return redirect_to_login(request.get_full_path())
