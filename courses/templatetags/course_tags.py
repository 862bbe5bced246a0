from django import template

from courses.selectors import catalogue_page

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """URL of the course catalogue, looked up once per request."""
    request = context.get("request")
    cache = getattr(request, "_catalogue_url", None) if request else None
    if cache is None:
        page = catalogue_page()
        cache = page.url if page else ""
        if request is not None:
            request._catalogue_url = cache
    return cache


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(state, label: str):
    return {"state": state, "label": label}
