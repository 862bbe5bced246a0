from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required default, with two exceptions handled elsewhere.

    - The Wagtail admin has its own login and permission checks.
    - Wagtail's page serving decides per page type (see `home.wagtail_hooks`): pages are
      private unless their class says `is_public = True`.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name == "wagtail_serve":
            return None
        if request.path_info.startswith("/admin/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
