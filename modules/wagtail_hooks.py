from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Film


class FilmViewSet(SnippetViewSet):
    model = Film
    icon = "media"
    menu_label = _("Films")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "duration_seconds", "captions_language"]
    search_fields = ["title"]


register_snippet(FilmViewSet)
