"""Surveys, their questions, rounds, invitations, and the anonymous responses.

Invariants the database itself holds (docs/design.md): the anonymity floor and the
comment threshold are never below 3; one round per survey and start; one invitation
per recipient and round; one response per invitation; an anonymous response has no
key to an invitation or a person, a random id, and no time but its round's. It waits
sealed (`SealedResponse`) until it can be written in a shuffled batch
(`surveys.services.release`), so neither a transaction id, nor an order, nor a time
ties it to the invitation that was marked answered.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.delivery import SendState
from org.models import AITool, Customer, Department, Person, Team
from surveys.cadence import Cadence, Schedule

MIN_GROUP_FLOOR = 3


class Survey(models.Model):
    class Audience(models.TextChoices):
        EMPLOYEES = "employees", "Employees"
        CUSTOMERS = "customers", "Customers"

    class Privacy(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous"
        CONFIDENTIAL = "confidential", "Confidential"
        NAMED = "named", "Named"

    class Status(models.TextChoices):
        """Where a survey is in its life (`surveys.services.lifecycle` moves it).

        Draft: being built, never opens a round. Scheduled: rounds open on its
        cadence. Paused: no new round opens; one already open runs to its close.
        Archived: read-only and out of the default list; its results stay.
        """

        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    audience = models.CharField(
        max_length=20, choices=Audience.choices, default=Audience.EMPLOYEES
    )
    # Empty means everyone in the audience.
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    segments = models.JSONField(default=list, blank=True)
    privacy = models.CharField(
        max_length=20, choices=Privacy.choices, default=Privacy.ANONYMOUS
    )
    min_group_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(MIN_GROUP_FLOOR)],
        help_text="No result is shown for a group with fewer respondents than this.",
    )
    # blank=True only so that a form leaving the field out keeps the default;
    # clean() refuses an empty value and the database refuses NULL.
    comment_threshold = models.PositiveSmallIntegerField(
        default=10,
        blank=True,
        help_text=(
            "Free-text answers are shown only for groups of at least this many "
            "respondents (at least 3, and not below the smallest group shown). "
            "Separate from the smallest group shown: a comment can say more about "
            "its writer than a score."
        ),
    )
    cadence = models.CharField(
        max_length=20,
        choices=[(c.value, c.value.capitalize()) for c in Cadence],
        default=Cadence.WEEKLY,
    )
    first_date = models.DateField(help_text="No round starts before this date.")
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    start_time = models.TimeField(default="09:00")
    open_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reminder_count = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(3)]
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # A new survey is a draft: nothing goes out until HR activates it.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        permissions = [("manage_surveys", "Can build, schedule and publish surveys")]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__gte=MIN_GROUP_FLOOR),
                name="survey_min_group_size_floor",
                violation_error_message="The anonymity floor cannot be below 3.",
            ),
            models.CheckConstraint(
                condition=Q(comment_threshold__gte=MIN_GROUP_FLOOR),
                name="survey_comment_threshold_floor",
                violation_error_message="The comment threshold cannot be below 3.",
            ),
            models.CheckConstraint(
                condition=Q(reminder_count__lte=3), name="survey_at_most_3_reminders"
            ),
            # The last line behind `title_clash_error` (the rule, compared in
            # Python): two requests that each checked before the other saved. Its
            # comparison (the database's lower()) is never looser than the rule's,
            # so it refuses nothing the rule allows.
            models.UniqueConstraint(
                Lower("title"),
                condition=~Q(status="archived"),
                name="survey_title_unique_unless_archived",
                violation_error_message="Another survey is already called that "
                "(titles are compared ignoring case).",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str | ValidationError] = {**self._threshold_errors()}
        if title_error := self._title_error():
            # Coded as Django's own unique checks: the API answers 409.
            errors["title"] = ValidationError(title_error, code="unique")
        # Thresholds that move after the fact are how anonymity gets broken: once a
        # round has opened, they may rise but never fall.
        if self.pk and self.rounds.exists():
            stored = (
                Survey.objects.filter(pk=self.pk)
                .values("min_group_size", "comment_threshold")
                .first()
            )
            if stored is not None and self.min_group_size < stored["min_group_size"]:
                errors["min_group_size"] = (
                    "The minimum group size cannot be lowered below "
                    f"{stored['min_group_size']} once a round has opened: results "
                    "already shown were protected by it."
                )
            if (
                stored is not None
                and "comment_threshold" not in errors
                and self.comment_threshold < stored["comment_threshold"]
            ):
                errors["comment_threshold"] = (
                    "The comment threshold cannot be lowered below "
                    f"{stored['comment_threshold']} once a round has opened: "
                    "comments already shown were protected by it."
                )
        if errors:
            raise ValidationError(errors)

    def _title_error(self) -> str | None:
        # An archived survey is out of the way: its title may be used again.
        if self.status == Survey.Status.ARCHIVED or not self.title:
            return None
        return title_clash_error(self.title, exclude_pk=self.pk)

    @staticmethod
    def title_keys_in_use(*, exclude_pk: int | None = None) -> set[str]:
        """The titles of every survey not archived, as `title_key` compares them.

        Compared in Python: SQLite's LOWER and LIKE fold only ASCII letters, and
        the rule must not depend on the database. Surveys number in the tens.
        """
        titles = Survey.objects.exclude(status=Survey.Status.ARCHIVED)
        if exclude_pk is not None:
            titles = titles.exclude(pk=exclude_pk)
        return {title_key(title) for title in titles.values_list("title", flat=True)}

    def _threshold_errors(self) -> dict[str, str]:
        threshold = self.comment_threshold
        if threshold is None:
            return {
                "comment_threshold": (
                    "Give the smallest group whose comments are shown "
                    f"(at least {MIN_GROUP_FLOOR})."
                )
            }
        if threshold < MIN_GROUP_FLOOR:
            return {
                "comment_threshold": (
                    f"The comment threshold cannot be below {MIN_GROUP_FLOOR}: "
                    "fewer comments than that could be told apart by their writers' "
                    "colleagues."
                )
            }
        if isinstance(self.min_group_size, int) and threshold < self.min_group_size:
            return {
                "comment_threshold": (
                    f"The comment threshold cannot be below the smallest group shown "
                    f"({self.min_group_size}): comments need at least as large a "
                    "group as scores."
                )
            }
        return {}

    def schedule(self) -> Schedule:
        return Schedule(
            Cadence(self.cadence),
            self.first_date,
            self.weekday,
            self.start_time,
            ZoneInfo(settings.TIME_ZONE),
        )


def title_key(title: str) -> str:
    """A title as two titles are compared: case and runs of spaces ignored."""
    return " ".join(title.split()).casefold()


def title_clash_error(title: str, *, exclude_pk: int | None = None) -> str | None:
    """Why `title` cannot be used, or None: another survey not archived has it.

    Two surveys of one name could not be told apart in the list, on the dashboards
    or in an invitation's subject.
    """
    if title_key(title) not in Survey.title_keys_in_use(exclude_pk=exclude_pk):
        return None
    return (
        f"Another survey is already called “{title.strip()}” (titles are compared "
        "ignoring case): choose a title that tells them apart, or archive the "
        "other survey first."
    )


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Agreement, 1 to 5"
        ENPS = "enps", "Recommend, 0 to 10 (eNPS / NPS)"
        CSAT = "csat", "Satisfaction, 1 to 5 (CSAT)"
        HOURS_SAVED = "hours_saved", "Hours saved per week"
        AI_ACCURACY = "ai_accuracy", "AI output accuracy"
        SINGLE_CHOICE = "single_choice", "Single choice"
        FREE_TEXT = "free_text", "Free text"

    class Driver(models.TextChoices):
        TRUST = "trust", "Trust"
        CLARITY = "clarity", "Clarity of purpose"
        JOB_SECURITY = "job_security", "Job security"
        SURVEILLANCE = "surveillance", "Surveillance worry"
        WORKLOAD = "workload", "Workload"
        TRAINING = "training", "Training"
        ACCOUNTABILITY = "accountability", "Accountability"

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    driver = models.CharField(max_length=20, choices=Driver.choices, blank=True)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True)
    max_hours = models.PositiveSmallIntegerField(
        default=40, validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    ai_tool = models.ForeignKey(
        AITool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    # When a round first asked it: set when a round opens, or on a question added
    # while one is open. From then on it cannot be deleted, nor change kind or
    # AI tool: its answers were given to it as it was. Whether it *has* answers
    # is never the rule nor shown: for a question only a few are asked (a tool's
    # pilot), that would say whether they answered.
    first_asked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="ai_accuracy") | Q(ai_tool__isnull=False),
                name="question_accuracy_names_a_tool",
                violation_error_message="An accuracy question must name its AI tool.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        """The rules a question's settings must follow, one error per field.

        Here rather than in a service so that our builder's forms, the admin and
        every save through `question_save` obey the same rules.
        """
        errors: dict[str, str] = {}
        for name in self._changed_after_asked():
            errors[name] = (
                f"This question has been asked in a round, so {FIXED_ONCE_ASKED[name]} "
                "cannot change. Add a new question instead."
            )
        if self.driver and self.kind not in DRIVER_KINDS:
            errors["driver"] = (
                "A driver applies only to agreement (1 to 5) or free-text questions: "
                "clear it."
            )
        if choices_error := _choices_error(self.kind, self.choices or []):
            errors["choices"] = choices_error
        if self.kind == Question.Kind.AI_ACCURACY and self.ai_tool_id is None:
            errors["ai_tool"] = (
                "An accuracy question must name the AI tool it asks about."
            )
        elif self.ai_tool_id is not None and self.kind not in TOOL_KINDS:
            errors["ai_tool"] = (
                "Only accuracy, hours-saved and satisfaction questions name an AI "
                "tool: clear it."
            )
        if errors:
            raise ValidationError(errors)

    def _changed_after_asked(self) -> list[str]:
        """Which of `FIXED_ONCE_ASKED` a save would change of a question a round
        has asked: answers were given to it as it was asked (a Likert 4 means
        nothing as a number of hours, nor one tool's hours another's), and the
        figures of a round not summarised yet are read by them now: an optional
        question made required, or moved to another driver, would move the few
        answers it had into a figure, where two looks would give them back."""
        if self.pk is None:
            return []
        stored = Question.objects.filter(pk=self.pk, first_asked_at__isnull=False)
        found = stored.values(*FIXED_ONCE_ASKED).first()
        if found is None:
            return []
        return [
            name
            for name in FIXED_ONCE_ASKED
            if found[name] != getattr(self, "ai_tool_id" if name == "ai_tool" else name)
        ]


# What a question keeps once a round has asked it (`Question.first_asked_at`),
# as its refusal names it.
FIXED_ONCE_ASKED = {
    "kind": "its kind",
    "ai_tool": "the AI tool it names",
    "driver": "its driver",
    "required": "whether it is required",
}
# A satisfaction (CSAT) question naming a tool asks customers about the service
# they got with its help; without a tool it is the overall satisfaction.
TOOL_KINDS = (Question.Kind.AI_ACCURACY, Question.Kind.HOURS_SAVED, Question.Kind.CSAT)
# A free-text question's driver lets HR read the comments about one driver.
DRIVER_KINDS = (Question.Kind.LIKERT, Question.Kind.FREE_TEXT)
MAX_CHOICE_LENGTH = 200  # Answer.choice holds the chosen text


def _choices_error(kind: str, choices: list[str]) -> str | None:
    if kind != Question.Kind.SINGLE_CHOICE:
        return (
            "Choices apply only to single-choice questions: clear them."
            if choices
            else None
        )
    if len(choices) < 2:
        return "Give at least 2 choices, one per line."
    seen: set[str] = set()
    for number, choice in enumerate(choices, start=1):
        if len(choice) > MAX_CHOICE_LENGTH:
            return (
                f"Choice {number} is {len(choice)} characters long; each choice may "
                f"have at most {MAX_CHOICE_LENGTH}."
            )
        if choice.casefold() in seen:
            return f"Each choice must be different; “{choice}” appears twice."
        seen.add(choice.casefold())
    return None


class Round(models.Model):
    """One occurrence of a survey's cadence: open from starts_at until closes_at."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    starts_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    # The survey's floor and comment threshold when the round opened, kept: the
    # dashboards' cells of a round must never change, or two looks (before and
    # after a change) would compare two partitions of the same people. None: a
    # round from before they were kept, which follows its survey.
    min_group_size = models.PositiveSmallIntegerField(null=True, blank=True)
    comment_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    # Of whom it asks about each AI tool, kept when it opened: what it asks and
    # the dashboards' frame of its answers stay one fixed set (`surveys.audiences`
    # has the shape and the rule). None: follows the tools' teams now.
    tools_asked = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "starts_at"], name="round_one_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("starts_at")),
                name="round_closes_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.survey} from {self.starts_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        # Whoever makes a round (the scheduler, the demo, a test), it keeps its
        # survey's floor and threshold: one that followed its survey would be
        # cut again when the floor is raised, into cells one person apart.
        if self._state.adding:
            if self.min_group_size is None:
                self.min_group_size = self.survey.min_group_size
            if self.comment_threshold is None:
                self.comment_threshold = self.survey.comment_threshold
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Invitation(models.Model):
    """One recipient of one round. Its links are InvitationTokens, stored hashed."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The team (and its department) the person was in when invited: participation
    # is counted by it, so someone moving team later changes no published count
    # (which would tell whether they answered).
    # PROTECT: deleting a team would move its people's counts into other cells.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a dispatcher hands a send task to the broker, cleared when it ran, so
    # the next pass neither enqueues it twice nor forgets it if the broker lost it.
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # The latest step's send (the invitation, then each reminder; core.delivery):
    # its state, and the instant of its claim, which is both the claim's lease and
    # its token (only that claim may hand the message over).
    send_state = models.CharField(
        max_length=10, choices=SendState.choices, blank=True, default=""
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Steps handed to the mail server whose reply was lost: never sent again, shown
    # to HR as emails that may not have arrived.
    fate_unknown_sends = models.PositiveSmallIntegerField(default=0)
    fate_unknown_at = models.DateTimeField(null=True, blank=True)
    # Only whether, never when: any time finer than the round could be matched to
    # the batch an anonymous response was released in.
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"], name="invitation_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["round", "customer"], name="invitation_one_per_customer"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, customer__isnull=True)
                | Q(person__isnull=True, customer__isnull=False),
                name="invitation_exactly_one_recipient",
            ),
        ]
        indexes = [models.Index(fields=["round", "sent_at"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.round}"

    @property
    def recipient(self) -> Person | Customer:
        return self.person or self.customer

    @property
    def email(self) -> str:
        return self.recipient.email


class InvitationToken(models.Model):
    """The hash of one link that was emailed (the invitation or a reminder).

    Each email carries a fresh token, and the link in the email is its only copy: a
    database dump cannot be turned into working links. Every token of an invitation
    stays valid until the round closes or the invitation is answered.
    """

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Link for invitation {self.invitation_id}"


class Response(models.Model):
    """One submitted questionnaire.

    `invitation` is set only for confidential and named surveys. Team, department and
    segment are copied at submission so results can be cut by group (behind the
    anonymity floor) without a key to the person.

    A response has no date of its own: its time is its round's. It used to keep the
    day it was submitted, which matched `Invitation.responded_on` whenever one
    person of a team answered that day; a column that could only repeat the
    round's start would invite someone to put the day back, and every reader
    (results, accuracy, comments) already dates answers by their round.
    An anonymous response is written when its batch is released, so its row (id,
    transaction, physical place) says nothing about when it was given either.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # PROTECT: deleting a team or department with answers would move them into
    # other cells of closed rounds, and two looks would single them out.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    segment = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [models.Index(fields=["round", "team"])]

    def __str__(self) -> str:
        return f"Response to {self.round}"


class Answer(models.Model):
    """One answer of a response.

    Ids come from a sequence, so they tell the order rows were written in: an
    anonymous round's answers are written batch by batch, each batch in a shuffled
    order (`surveys.services.release`), so the only order they tell is the batch's.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers"
    )
    # RESTRICT, not PROTECT: an answered question cannot be deleted on its own, but
    # deleting a whole survey takes its rounds, responses and answers with it.
    question = models.ForeignKey(
        Question, on_delete=models.RESTRICT, related_name="answers"
    )
    number = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, max_length=4000)
    sentiment = models.FloatField(null=True, blank=True)  # VADER compound, -1 to 1

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
        ]
        indexes = [models.Index(fields=["question", "number"])]

    def __str__(self) -> str:
        return f"Answer to {self.question}"


class SealedResponse(models.Model):
    """An anonymous response waiting, encrypted, for the batch it is released in.

    It is written in the transaction that marks its invitation answered, so anyone
    who reads the database can tell whose it is; it therefore holds nothing else in
    clear: its round, a random id (no order) and two ciphertexts of a fixed length
    per survey (`surveys.sealing`), one of its group (team, department, segment:
    what decides its batch), one of its answers. No time, no team, no invitation.
    The release (`surveys.services.release`) writes it out as a Response with its
    Answers and deletes it, in one transaction that touches nothing else.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    sealed_group = models.BinaryField()
    sealed_answers = models.BinaryField()

    def __str__(self) -> str:
        return f"Sealed response to round {self.round_id}"
