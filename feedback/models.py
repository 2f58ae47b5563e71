"""The open feedback board: concerns, their threads, supporters and followers.

Invariant 6 (docs/design.md): every concern has exactly one accountable owner (a person,
never a team), a first-response due time and a status history. The database holds
what it can: the owner is a non-null key to a Person, a declined or resolved concern
has its written outcome, an anonymous concern has no raiser.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.delivery import SendState
from org.models import Accuracy, AITool, Customer, Person

TITLE_LIMIT, BODY_LIMIT, COMMENT_LIMIT = 140, 5000, 3000


class Category(models.TextChoices):
    JOB_SECURITY = "job_security", "Job security"
    SURVEILLANCE = "surveillance", "Surveillance and privacy"
    ACCURACY = "accuracy", "Accuracy of AI output"
    TRAINING = "training", "Training and skills"
    WORKLOAD = "workload", "Workload"
    FAIRNESS = "fairness", "Fairness and bias"
    GOVERNANCE = "governance", "Governance and acceptable use"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    DECLINED = "declined", "Declined"


# A concern in one of these has its written outcome; the rest are open.
CLOSED = (Status.RESOLVED, Status.DECLINED)


class Audience(models.TextChoices):
    EMPLOYEES = "employees", "Employees"
    CUSTOMERS = "customers", "Customers"


class CategoryPolicy(models.Model):
    """HR's settings per category: who owns a concern nobody else does, and when
    the first official response is due."""

    category = models.CharField(max_length=20, choices=Category.choices, unique=True)
    default_owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_days = models.PositiveSmallIntegerField(
        default=3, help_text="Working days until the first official response is due."
    )
    escalation_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="Working days after the due time before the owner's manager and "
        "HR are told.",
    )
    nudge_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="Days a concern may stay in progress without an update before "
        "its owner is nudged.",
    )

    class Meta:
        verbose_name_plural = "category policies"

    def __str__(self) -> str:
        return f"Policy for {self.get_category_display()}"


class Concern(models.Model):
    title = models.CharField(max_length=TITLE_LIMIT)
    body = models.TextField(max_length=BODY_LIMIT)
    category = models.CharField(max_length=20, choices=Category.choices)
    ai_tool = models.ForeignKey(
        AITool,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    audience = models.CharField(
        max_length=20, choices=Audience.choices, default=Audience.EMPLOYEES
    )
    # Both empty when raised anonymously: not even an admin can tell who it was.
    raised_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_by_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anonymous = models.BooleanField(default=False)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="owned_concerns"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.TextField(
        blank=True, help_text="The written outcome (resolved) or reason (declined)."
    )
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # The last official response, status change or linked update: what "quiet" means.
    last_activity_at = models.DateTimeField()
    # Follow-up steps, each claimed once with a conditional UPDATE.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    support_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("moderate_concerns", "Can moderate the board, reassign and merge"),
            ("post_updates", "Can post updates about AI tools and policies"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(anonymous=True)
                | Q(raised_by__isnull=True, raised_by_customer__isnull=True),
                name="concern_anonymous_has_no_raiser",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "declined"]) | ~Q(outcome=""),
                name="concern_closed_with_written_outcome",
                violation_error_message="Resolving or declining needs a written "
                "outcome or reason.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "first_response_due_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["audience", "hidden_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED


class StatusChange(models.Model):
    """Who moved a concern from what to what, when and why. Owner changes too."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="history"
    )
    actor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    from_owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.from_status or '-'} -> {self.to_status}"


class Comment(models.Model):
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_LIMIT)
    # An answer from the owner or HR, shown apart from the discussion.
    official = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on #{self.concern_id}"


class Vote(models.Model):
    """One "me too" per person and concern. Never shown: only the count is."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "person"], name="vote_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Support for #{self.concern_id}"


class Subscription(models.Model):
    """A follower of a concern, told by email of official responses and status
    changes. Unsubscribing keeps the row (active False) so a later comment by the
    same person does not silently subscribe them again."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="subscriptions"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "person"], name="subscription_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Follower of #{self.concern_id}"


class Flag(models.Model):
    """Anyone may flag a concern or a comment for a moderator to look at."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    flagged_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(concern__isnull=False, comment__isnull=True)
                | Q(concern__isnull=True, comment__isnull=False),
                name="flag_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["concern", "flagged_by"], name="flag_concern_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["comment", "flagged_by"], name="flag_comment_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"#{self.concern_id}" if self.concern_id else f"comment {self.comment_id}"
        )
        return f"Flag on {target}"


class Update(models.Model):
    """What changed in an AI tool or a policy, linked to the concerns it answers."""

    title = models.CharField(max_length=TITLE_LIMIT)
    body = models.TextField(max_length=BODY_LIMIT)
    ai_tool = models.ForeignKey(
        AITool, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    concerns = models.ManyToManyField(Concern, blank=True, related_name="updates")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class OutputRating(models.Model):
    """One employee's two-click verdict on an AI tool's output.

    Counted in AI accuracy beside the survey's accuracy answers (same scale). Like an
    anonymous response it keeps no person and only the day.
    """

    ai_tool = models.ForeignKey(
        AITool, on_delete=models.CASCADE, related_name="output_ratings"
    )
    rating = models.CharField(max_length=20, choices=Accuracy.choices)
    note = models.CharField(max_length=500, blank=True)
    rated_on = models.DateField()
    # A keyed hash (from SECRET_KEY) of the person and the tool: names no one, but
    # lets AI accuracy count distinct raters, so one person's many ratings never
    # stand for a group. Blank for ratings from before it was kept.
    rater = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ai_tool", "rated_on"])]

    def __str__(self) -> str:
        return f"{self.ai_tool}: {self.rating}"


class Notice(models.Model):
    """An email to one person, written in the same transaction as what caused it.

    The outbox pattern: a broker outage delays a notice, never loses it, because
    the scheduler's next pass finds every notice not yet sent (invariant 5). Each is
    sent at most once, claimed by a conditional UPDATE of `sent_at`.
    """

    class Kind(models.TextChoices):
        FOLLOWER = "follower", "To a follower"
        REMINDER = "reminder", "Owner reminder"
        ESCALATION = "escalation", "Escalation"
        NUDGE = "nudge", "In-progress nudge"
        ASSIGNED = "assigned", "New owner"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A follow-up overtaken by events before it went out (the owner answered while
    # the broker was down): not sent, and kept to show what happened.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Where its send stands (core.delivery); `sent_at` is its claim's instant, the
    # lease and the token. "unknown": handed over, the reply lost, never re-sent.
    send_state = models.CharField(
        max_length=10, choices=SendState.choices, blank=True, default=""
    )

    class Meta:
        indexes = [models.Index(fields=["sent_at", "failed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person_id}: {self.subject}"
