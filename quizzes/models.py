"""Quizzes: questions with choices, quizzes built from them, and learners' attempts.

An attempt keeps a snapshot of the questions and choices as they were when it started, so that
editing a published quiz never changes what an old attempt meant, scored or showed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from .forms import QuestionForm


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SCENARIO = "scenario", _("Scenario (case text and a single-choice question)")


class FeedbackPolicy(models.TextChoices):
    AFTER_EACH = "after_each", _("After each question")
    AFTER_SUBMIT = "after_submit", _("After the quiz is submitted")
    # Right or wrong per question after each attempt; the correct answers, the choices'
    # feedback and the explanations only once there is nothing left to gain from them.
    AFTER_PASS = "after_pass", _("Correct answers only once passed or when no attempts remain")
    NEVER = "never", _("Never show the correct answers")

    @classmethod
    def stricter(cls, *policies: str) -> FeedbackPolicy:
        """The policy of `policies` that shows the least."""
        return max((cls(p) for p in policies), key=_POLICY_STRICTNESS.index)


# From the one that shows the most to the one that shows the least.
_POLICY_STRICTNESS = [
    FeedbackPolicy.AFTER_EACH,
    FeedbackPolicy.AFTER_SUBMIT,
    FeedbackPolicy.AFTER_PASS,
    FeedbackPolicy.NEVER,
]


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Question(index.Indexed, ClusterableModel):
    """A reusable question. Tags group questions into banks (per course or theme)."""

    kind = models.CharField(
        _("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    case_text = RichTextField(
        _("case"),
        blank=True,
        features=["bold", "italic", "ol", "ul"],
        help_text=_("For scenario questions: the short case the question is about."),
    )
    text = models.TextField(_("question"))
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown with the result, when the quiz allows.")
    )
    tags = ClusterTaggableManager(
        through=QuestionTag,
        blank=True,
        verbose_name=_("question bank tags"),
        help_text=_("For example the course the question belongs to, to find it again."),
    )

    base_form_class = QuestionForm
    panels = [
        FieldPanel("kind"),
        FieldPanel("case_text"),
        FieldPanel("text"),
        InlinePanel("choices", heading=_("Choices"), label=_("choice"), min_num=2, max_num=8),
        FieldPanel("explanation"),
        FieldPanel("tags"),
    ]
    search_fields = [index.SearchField("text"), index.SearchField("case_text")]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Why this answer is right or wrong.")
    )

    panels = [FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("feedback")]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Quiz(index.Indexed, ClusterableModel):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True, max_length=100)
    intro = models.TextField(_("introduction"), blank=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (percent)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for unlimited attempts."),
    )
    wait_minutes = models.PositiveIntegerField(
        _("wait between attempts (minutes)"),
        default=0,
        help_text=_("How long a learner must wait after a failed attempt before trying again."),
    )
    shuffle_questions = models.BooleanField(_("shuffle the questions"), default=False)
    shuffle_choices = models.BooleanField(
        _("shuffle the choices"),
        default=True,
        help_text=_("Without shuffling, the choices are shown in the order they were written."),
    )
    # A failed attempt of a final test must not hand out the answers for the next one.
    feedback_policy = models.CharField(
        _("show feedback"),
        max_length=20,
        choices=FeedbackPolicy.choices,
        default=FeedbackPolicy.AFTER_PASS,
        help_text=_(
            "For a course's final test, show the correct answers only once passed or when no "
            "attempts remain."
        ),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark_percent"),
                FieldPanel("max_attempts"),
                FieldPanel("wait_minutes"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
                FieldPanel("feedback_policy"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("quiz_questions", heading=_("Questions"), label=_("question"), min_num=1),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        verbose_name = _("question in quiz")
        verbose_name_plural = _("questions in quiz")


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    # Where the learner took it (a module page), to send them back and to complete the module.
    module = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The questions and choices as they were at the start: grading and display use only this.
    snapshot = models.JSONField()
    # Answers saved as the learner goes: {question key: [choice keys]}. Choice keys are random
    # per attempt (see services.build_snapshot); only the snapshot maps them to choices.
    answers = models.JSONField(default=dict)
    # Questions whose answer is final (feedback after each question).
    locked_questions = models.JSONField(default=list)
    started_at = models.DateTimeField(_("started"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score_percent = models.DecimalField(
        _("score (percent)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="quiz_attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(submitted_at__isnull=True),
                name="quiz_attempt_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "submitted_at"], name="attempt_quiz_submitted"),
            models.Index(fields=["user", "quiz", "passed"], name="attempt_user_quiz_passed"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}#{self.number} ({self.user_id})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def question_keys(self) -> list[str]:
        return [q["key"] for q in self.snapshot["questions"]]

    @property
    def feedback_policy(self) -> FeedbackPolicy:
        """The stricter of the policy the attempt started under and the quiz's current one: an
        editor who makes a quiz stricter (a final test now after_pass) closes old attempts too,
        and a looser policy never opens an attempt that started under a stricter one."""
        return FeedbackPolicy.stricter(self.snapshot["feedback_policy"], self.quiz.feedback_policy)


class AttemptAnswer(models.Model):
    """A graded answer, written when the attempt is submitted: the basis for statistics."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="graded")
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL, related_name="+")
    question_key = models.CharField(max_length=32)
    points = models.FloatField()
    is_correct = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["question", "is_correct"], name="answer_question_correct")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_key}"


class SelectedChoice(models.Model):
    answer = models.ForeignKey(AttemptAnswer, on_delete=models.CASCADE, related_name="selected")
    choice = models.ForeignKey(Choice, null=True, on_delete=models.SET_NULL, related_name="+")
    choice_key = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.choice_key
