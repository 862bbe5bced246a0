"""Blocks that make up a module. One StreamBlock (ModuleStreamBlock) is every module's body."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading level 2")), ("h3", _("Heading level 3"))],
        default="h2",
        label=_("level"),
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        description = _("A heading that structures the module for screen readers and skimming.")
        preview_value = {"text": "Vad är en norm?", "level": "h2"}


class FilmChooserBlock(SnippetChooserBlock):
    """The film chooser, reading films through the content cache: a film record changes only
    when an editor saves it (which empties the cache), and every learner's module page needs
    the same ones."""

    # Stored in migrations as the plain snippet chooser it behaves like: nothing to migrate.
    canonical_module_path = "wagtail.snippets.blocks.SnippetChooserBlock"

    def bulk_to_python(self, values):
        import copy

        from lms import content_cache

        films = content_cache.films([v for v in values if v is not None])
        result, seen = [], set()
        for value in values:
            film = films.get(int(value)) if value not in (None, "") else None
            if film is not None and value in seen:
                film = copy.copy(film)  # one instance per block, as Wagtail's own lookup does
            seen.add(value)
            result.append(film)
        return result


class FilmBlock(blocks.StructBlock):
    film = FilmChooserBlock("modules.Film", label=_("film"))
    intro = blocks.TextBlock(required=False, label=_("introduction"))

    class Meta:
        icon = "media"
        template = "blocks/film_block.html"
        label = _("Film")
        description = _(
            "A film with captions and a transcript. It counts as watched when 90 percent has been "
            "played, or when the learner has read the transcript."
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # The player refuses faster rates than the server credits (see FILM_MAX_PLAYBACK_RATE).
        context["max_playback_rate"] = settings.FILM_MAX_PLAYBACK_RATE
        return context


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(required=False, label=_("caption"))

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")
        description = _("An image with alternative text and an optional caption.")


class ReflectionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("question"))
    guidance = blocks.TextBlock(required=False, label=_("guidance"))

    class Meta:
        icon = "edit"
        template = "blocks/reflection_block.html"
        label = _("Reflection task")
        description = _(
            "A question the learner answers in free text. The answer is private: only the "
            "learner can see it."
        )
        preview_value = {
            "question": "Vilka normer styr hur vi bemöter besökare hos oss?",
            "guidance": "Ditt svar syns bara för dig.",
        }


class DiscussionBlock(blocks.StructBlock):
    intro = blocks.TextBlock(required=False, label=_("introduction for the meeting leader"))
    questions = blocks.ListBlock(blocks.TextBlock(label=_("question")), label=_("questions"))

    class Meta:
        icon = "group"
        template = "blocks/discussion_block.html"
        label = _("Discussion questions for the workplace meeting")
        description = _("Questions for a workplace meeting (APT) that watches the module together.")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(required=False, label=_("description"))

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Downloadable document")
        description = _("A document the learner can download, such as a guide or checklist.")


class LawBlock(blocks.StructBlock):
    source = blocks.CharBlock(
        label=_("source"), help_text=_("For example: Diskrimineringslagen (2008:567) 1 kap. 4 §")
    )
    text = blocks.RichTextBlock(features=RICH_FEATURES, label=_("text"))
    is_summary = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("summary in our own words"),
        help_text=_("Untick only when the text is quoted word for word from the law."),
    )

    class Meta:
        icon = "openquote"
        template = "blocks/law_block.html"
        label = _("Law text")
        description = _("A provision of a law, quoted or summarised, with its source.")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(required=False, label=_("attribution"))

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")
        description = _("A voice from practice.")


class TakeawaysBlock(blocks.StructBlock):
    items = blocks.ListBlock(blocks.CharBlock(label=_("takeaway")), label=_("key takeaways"))

    class Meta:
        icon = "tick"
        template = "blocks/takeaways_block.html"
        label = _("Key takeaways")
        description = _("A short list of what the learner should remember.")


class QuizBlock(blocks.StructBlock):
    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("quiz"))
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("must be passed to complete the module"),
    )

    class Meta:
        icon = "tasks"
        template = "blocks/quiz_block.html"
        label = _("Quiz")
        description = _("A knowledge check. Place the course's final test in its last module.")


class ModuleStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_FEATURES,
        icon="pilcrow",
        label=_("Text"),
        template="blocks/paragraph_block.html",
    )
    film = FilmBlock()
    image = ImageBlock()
    reflection = ReflectionBlock()
    discussion = DiscussionBlock()
    document = DocumentBlock()
    law = LawBlock()
    quote = QuoteBlock()
    takeaways = TakeawaysBlock()
    quiz = QuizBlock()
