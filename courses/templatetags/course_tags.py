from django import template
from django.urls import reverse
from wagtail.templatetags.wagtailcore_tags import pageurl

from lms import content_cache

from ..cards import catalogue_cards as _catalogue_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """URL of the course catalogue, from the content cache (it changes only on publish)."""
    request = context.get("request")
    cache = getattr(request, "_catalogue_url", None) if request else None
    if cache is None:
        found = content_cache.catalogue_address()
        cache = found[1] if found else ""
        if request is not None:
            request._catalogue_url = cache
    return cache


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list[tuple[str, str]]:
    """(title, address) of the pages editors put in the menu that this visitor may open."""
    request = context.get("request")
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    pages = content_cache.menu_pages()
    return [(title, url) for title, url, public in pages if public or logged_in]


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(state, label: str):
    return {"state": state, "label": label}


@register.simple_tag
def catalogue_cards(course_states, assigned) -> str:
    """The catalogue's cards (courses.cards): put together in Python, not in the loop."""
    return _catalogue_cards(course_states, assigned or {})


@register.simple_tag(takes_context=True)
def page_url(context, page) -> str:
    """A page's address, as Wagtail's `pageurl` gives it, for the module lists: a page of the
    request's own site is addressed from its url_path, without Wagtail's site lookup on every
    call (a course page links each of its modules). Other pages go through `pageurl`."""
    request = context.get("request")
    site = getattr(request, "_wagtail_site", None) if request is not None else None
    if site is not None:
        root_path = site.root_page.url_path
        if page.url_path.startswith(root_path):
            return reverse("wagtail_serve", args=(page.url_path[len(root_path) :],))
    return pageurl(context, page)
