from django import template

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
