from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.content_cache import CachedViewRestrictionsMixin

from .blocks import ModuleStreamBlock

# A film counts as watched when this share of its length has actually been played.
WATCHED_SHARE = 0.9


def validate_webvtt(file) -> None:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if isinstance(head, bytes):
        head = head.decode("utf-8-sig", errors="replace")
    if not head.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValidationError(_("The captions file must be WebVTT: it must start with WEBVTT."))


def embed_origin_allowed(url: str) -> bool:
    """True when the player's origin is one the Content-Security-Policy lets us frame."""
    from lms.headers import _origin

    return _origin(url) in {_origin(allowed) for allowed in settings.CSP_FRAME_SRC}


class Film(index.Indexed, models.Model):
    """A film used in modules: a video file with a captions track and a transcript."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    video = models.FileField(
        _("video file"),
        upload_to="films/",
        blank=True,
        validators=[FileExtensionValidator(["mp4", "webm"])],
        help_text=_("MP4 (H.264) or WebM. Either a video file or an embed address."),
    )
    embed_url = models.URLField(
        _("embed address"),
        blank=True,
        help_text=_(
            "Instead of a file: the https address of the film's embeddable player, for example "
            "https://www.youtube-nocookie.com/embed/… The provider must show captions; viewing "
            "counts when the learner has read the transcript."
        ),
    )
    captions = models.FileField(
        _("captions (WebVTT)"),
        upload_to="films/captions/",
        blank=True,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
        help_text=_("Required for a video file: a WebVTT file with captions in Swedish."),
    )
    captions_language = models.CharField(
        _("captions language"), max_length=10, default="sv", choices=settings.LANGUAGES
    )
    transcript = RichTextField(
        _("transcript"),
        features=["bold", "italic", "ol", "ul"],
        help_text=_(
            "Everything that is said and shown, as an alternative for people who cannot see "
            "or hear the film. Reading it counts as having watched the film."
        ),
    )
    duration_seconds = models.PositiveIntegerField(
        _("length in seconds"), validators=[MinValueValidator(1)]
    )
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("video"),
                FieldPanel("embed_url"),
                FieldPanel("duration_seconds"),
                FieldPanel("poster"),
            ],
            heading=_("Video"),
        ),
        MultiFieldPanel(
            [FieldPanel("captions"), FieldPanel("captions_language"), FieldPanel("transcript")],
            heading=_("Captions and transcript"),
        ),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("transcript")]

    class Meta:
        verbose_name = _("film")
        verbose_name_plural = _("films")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if bool(self.video) == bool(self.embed_url):
            raise ValidationError(_("Give either a video file or an embed address, not both."))
        if self.video and not self.captions:
            raise ValidationError(
                {"captions": _("A video file needs captions: upload a WebVTT file.")}
            )
        if self.embed_url and not self.embed_url.startswith("https://"):
            raise ValidationError({"embed_url": _("The embed address must start with https://.")})
        if self.embed_url and not embed_origin_allowed(self.embed_url):
            # The page's Content-Security-Policy would block any other player (lms/headers.py).
            raise ValidationError(
                {
                    "embed_url": _("Films can be embedded only from: %(origins)s.")
                    % {"origins": ", ".join(settings.CSP_FRAME_SRC)}
                }
            )

    @property
    def is_embedded(self) -> bool:
        return bool(self.embed_url) and not self.video


class ModulePage(CachedViewRestrictionsMixin, Page):
    """One module of a course: lessons, films, reflection tasks and checks as a stream of blocks."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)
    is_required = models.BooleanField(
        _("required for completing the course"),
        default=True,
        help_text=_("Optional modules can be taken but are not needed to complete the course."),
    )
    body = StreamField(ModuleStreamBlock(), blank=True, verbose_name=_("content"))
    for_group_viewing = models.BooleanField(
        _("for group viewing"),
        default=False,
        db_default=False,  # rows written by raw SQL (bulk generators) get it too
        help_text=_(
            "Managers can hold this module at a workplace meeting (APT): the film is shown to "
            "the room and the discussion questions are shown large."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("estimated_minutes"),
        FieldPanel("is_required"),
        FieldPanel("for_group_viewing"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def film_block_ids(self) -> list[str]:
        return [block.id for block in self.body if block.block_type == "film"]

    def unmet_requirements(self, user, *, film_progress: dict | None = None) -> list[str]:
        """What the learner must still do in this module before it can be marked done.

        Asked by progress.services when a module is completed. `film_progress`: the learner's
        FilmProgress rows of this module by block id, when the caller has read them already.
        """
        from progress.selectors import current_round
        from quizzes.selectors import passed_quiz_ids

        from . import selectors

        missing = []
        quizzes = [
            b.value["quiz"] for b in self.body if b.block_type == "quiz" and b.value["required"]
        ]
        if quizzes:
            progress = current_round(user=user, course_id=self.get_parent().pk)
            passed = passed_quiz_ids(
                user=user,
                quiz_ids=[q.pk for q in quizzes],
                since=progress.started_at if progress else None,
            )
            missing += [
                _("Pass the quiz “%(title)s”.") % {"title": quiz.title}
                for quiz in quizzes
                if quiz.pk not in passed
            ]
        # A block whose film was deleted shows nothing and asks nothing of the learner.
        film_blocks = [b for b in self.body if b.block_type == "film" and b.value["film"]]
        if film_blocks:
            watched = (
                {block_id for block_id, fp in film_progress.items() if fp.is_watched}
                if film_progress is not None
                else selectors.watched_block_ids(user=user, module=self)
            )
            for block in film_blocks:
                if block.id not in watched:
                    missing.append(
                        _("Watch the film “%(title)s” or read its transcript.")
                        % {"title": block.value["film"].title}
                    )
        return missing

    def quiz_passed(self, *, user, quiz_id: int):
        """Asked by quizzes.services, inside the submit's transaction, when a learner passes a
        quiz taken in this module.

        A quiz the module requires completes it when nothing else is missing (and the course,
        when this was its last required module), through progress.services. Returns that
        service's result, or None when the module is not done yet.
        """
        required = {
            b.value["quiz"].pk
            for b in self.body
            if b.block_type == "quiz" and b.value["required"] and b.value["quiz"]
        }
        if quiz_id not in required:
            return None
        from progress.services import module_complete_if_met

        return module_complete_if_met(user=user, module=self)

    def outcome_for(self, user):
        """The learner's standing in this module and its course, for a quiz's result page."""
        from .selectors import module_outcome

        return module_outcome(user=user, module=self)

    def serve(self, request, *args, **kwargs):
        from . import views

        return views.serve_module(self, request, *args, **kwargs)

    def serve_preview(self, request, mode_name):
        from . import views

        return views.preview_module(self, request)


class FilmProgress(models.Model):
    """How much of a film in a module a learner has played; watched once 90 % is played."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    # The film played; kept apart from the block so that a swapped film starts from zero.
    film = models.ForeignKey(Film, null=True, on_delete=models.SET_NULL, related_name="+")
    # Merged [start, end] second ranges that were actually played (seeking adds nothing).
    played_ranges = models.JSONField(default=list)
    seconds_played = models.FloatField(default=0)
    # The credit clock: a report may add at most (now - credit_from) x the fastest playback rate
    # in new seconds. Started when a module page first shows the film, moved on by each report.
    credit_from = models.DateTimeField(null=True, blank=True)
    watched_at = models.DateTimeField(null=True, blank=True)
    transcript_read_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "block_id"], name="film_progress_once_per_block"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.module_id}/{self.block_id}"

    @property
    def percent(self) -> int:
        if not self.film or not self.film.duration_seconds:
            return 0
        return min(100, round(100 * self.seconds_played / self.film.duration_seconds))

    @property
    def is_watched(self) -> bool:
        return self.watched_at is not None or self.transcript_read_at is not None


class ReflectionAnswer(models.Model):
    """A learner's private answer to a reflection task. Nobody else sees it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    text = models.TextField(_("answer"), max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "block_id"], name="reflection_once_per_block"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.module_id}/{self.block_id}"
