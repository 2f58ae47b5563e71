"""People, teams, customers and the AI tools being rolled out."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.delivery import SendState


def normalise_email(address: str | None) -> str:
    """An email address as Candor stores and compares it: trimmed and lower-cased.

    The whole address, not only the domain (all that RFC 5321 makes case-blind):
    the mail systems people sign in from ignore the case of the local part too, so
    nobody has two mailboxes that differ only in case, and one spelling per person
    lets every exact lookup (the import's, a manager's, `drf_create_token`'s) find
    them. All that is lost is how someone capitalised their address, for display.
    The database refuses two addresses that differ only in case, whatever wrote them.
    """
    return (address or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Django calls this from AbstractUser.clean, so admin forms normalise too.
        return normalise_email(email)

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        user = self.build(email, password, **extra)
        user.save(using=self._db)
        return user

    def build(self, email: str, password: str | None = None, **extra: object) -> User:
        """An unsaved user, for saving many at once with `bulk_create`."""
        email = self.normalize_email(email)
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email, **extra)
        user.set_password(password)  # None gives an unusable password
        return user

    def with_email(self, email: str | None) -> models.QuerySet[User]:
        """The account with this address, typed in any case: compared as the unique
        index compares, so there is at most one."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=normalise_email(email)
        )

    def with_emails(self, emails: Iterable[str]) -> models.QuerySet[User]:
        """The accounts with any of these addresses, typed in any case."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower__in=[normalise_email(email) for email in emails]
        )

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in, createsuperuser and drf_create_token, whatever the case typed.
        return self.with_email(username).get()

    def create_user(
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A sign-in account. People sign in with their work email; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="An account with this email address already "
                "exists.",
            )
        ]

    def __str__(self) -> str:
        return self.email


class Department(models.Model):
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        # Ignoring case, as the people sync matches a row's department: "Sales"
        # and "sales" would otherwise be two departments it cannot tell apart.
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="department_unique_name",
                violation_error_code="unique",
                violation_error_message="A department with this name already exists "
                "(names are compared ignoring case).",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams"
    )
    manager = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["department__name", "name"]
        constraints = [
            # Ignoring case, as the people sync matches a row's team.
            models.UniqueConstraint(
                "department",
                Lower("name"),
                name="team_unique_in_department",
                violation_error_code="unique_together",
                violation_error_message="This department already has a team with "
                "this name (names are compared ignoring case).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"


class Person(models.Model):
    """An employee, leader or HR partner: one per sign-in account.

    Whether the person is active is the account's `is_active`, so that deactivating
    someone also stops them signing in.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="person")
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    job_title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        # Role capabilities beyond model CRUD; org/roles.py grants them to groups.
        permissions = [
            ("manage_people", "Can manage people, teams and customers"),
            ("view_org_results", "Can view results across the whole organisation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def manager(self) -> Person | None:
        return self.team.manager if self.team else None


class Welcome(models.Model):
    """A welcome email to a person, with a link to choose their password.

    One row per email: each new active person gets one, and each re-send from the
    People page another (with a new link; earlier links work until used or
    expired). Each is sent at most once (`core.delivery`), found again by the
    scheduler's next pass if the broker lost it (invariant 5).
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="welcomes"
    )
    created_at = models.DateTimeField()
    # Who asked for a re-send from the People page; empty for the first one.
    requested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    # The claim's instant, its lease and token (core.delivery); `send_state` says
    # where the send stands. "unknown": handed over, the reply lost, never re-sent.
    sent_at = models.DateTimeField(null=True, blank=True)
    send_state = models.CharField(
        max_length=10, choices=SendState.choices, blank=True, default=""
    )
    failed_at = models.DateTimeField(null=True, blank=True)
    # The person was deactivated before it went: never sent.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "failed_at"])]

    def __str__(self) -> str:
        return f"welcome {self.pk} to person {self.person_id}"


class Customer(models.Model):
    """A customer contact who can be surveyed (CSAT, NPS, trust in our use of AI)."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    company = models.CharField(max_length=200, blank=True)
    segment = models.CharField(max_length=80, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="customer_email_unique_ignoring_case",
                violation_error_message="A customer with this email address already "
                "exists.",
                violation_error_code="unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def clean(self) -> None:
        self.email = normalise_email(self.email)


class AITool(models.Model):
    """An AI tool in the rollout portfolio, with the human accountable for it."""

    class Kind(models.TextChoices):
        COPILOT = "copilot", "Copilot"
        AGENT = "agent", "Agent"
        INTERNAL = "internal", "Internal tool"
        VENDOR = "vendor", "Vendor product"

    class Status(models.TextChoices):
        PILOT = "pilot", "Pilot"
        LIVE = "live", "Live"
        RETIRED = "retired", "Retired"

    class Sensitivity(models.TextChoices):
        PUBLIC = "public", "Public data only"
        INTERNAL = "internal", "Internal data"
        CONFIDENTIAL = "confidential", "Confidential data"
        PERSONAL = "personal", "Personal or customer data"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COPILOT)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_tools",
        help_text="The one person accountable for this tool.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PILOT
    )
    purpose = models.TextField(
        "why we use it",
        blank=True,
        help_text="A plain statement, shown to employees, of what the tool is for.",
    )
    acceptable_use = models.TextField(
        "acceptable use",
        blank=True,
        help_text="What people may and may not do with it.",
    )
    data_sensitivity = models.CharField(
        max_length=20, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    serves_customers = models.BooleanField(
        default=False,
        help_text="Customers are served with this tool's help (a chatbot, drafted "
        "replies): customer surveys ask about it.",
    )
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="ai_tools",
        verbose_name="rolled out to",
        help_text="The teams that use it; none for everyone. Surveys ask only its "
        "users about its hours saved and accuracy.",
    )
    live_since = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI tool"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="aitool_unique_name",
                violation_error_message="An AI tool with this name already exists.",
                # As Django's own unique checks say it: the API answers 409.
                violation_error_code="unique",
            ),
            # Governance before rollout, enforced by the database as a last line.
            models.CheckConstraint(
                condition=~Q(status="live")
                | (Q(owner__isnull=False) & ~Q(purpose="") & ~Q(acceptable_use="")),
                name="aitool_live_needs_governance",
                violation_error_message=(
                    "A tool can only be live with an accountable owner, a purpose and "
                    "an acceptable-use text."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def asked_of(self, team_id: int | None) -> bool:
        """Whether someone in this team is asked about the tool (its teams are
        prefetched by whoever asks this for many tools)."""
        teams = [team.pk for team in self.teams.all()]
        return not teams or team_id in teams

    @staticmethod
    def asked_of_filter(team_id: int | None, *, tool: str) -> Q:
        """`asked_of` as a filter in one query, on rows whose AI tool is at the
        lookup `tool` (a question's "ai_tool"); rows with no tool pass. Each row
        passes at most once: of a tool's teams only the person's can match."""
        return (
            Q(**{tool: None})
            | Q(**{f"{tool}__teams": None})
            | Q(**{f"{tool}__teams": team_id})
        )

    def clean(self) -> None:
        self.purpose = self.purpose.strip()
        self.acceptable_use = self.acceptable_use.strip()
        if self.status != self.Status.LIVE:
            return
        missing = {}
        if self.owner_id is None:
            missing["owner"] = "A live tool needs an accountable owner."
        if not self.purpose:
            missing["purpose"] = "A live tool needs a purpose statement for employees."
        if not self.acceptable_use:
            missing["acceptable_use"] = "A live tool needs an acceptable-use text."
        if missing:
            raise ValidationError(missing)


class Accuracy(models.TextChoices):
    """How right an AI tool's output was: one scale for survey answers and the
    board's two-click ratings, so both count in AI accuracy."""

    CORRECT = "correct", "Correct"
    MOSTLY_CORRECT = "mostly_correct", "Mostly correct"
    INCORRECT = "incorrect", "Incorrect"


class PeopleSync(models.Model):
    """A large people sync, sent through the API or uploaded on the People page,
    run by a worker: what was sent, where it stands, and its counts or the rows it
    was refused for.

    Its body (the JSON list or the CSV file's text) is kept until a worker has run
    it, then emptied: the report stays. A worker holds a run by its claim
    (`claimed_at`), a lease: one left by a worker that died is taken over once it
    runs out (`org.services.people_sync_runs`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        REJECTED = "rejected", "Rejected"  # bad rows or too many deactivated
        FAILED = "failed", "Failed"  # an error of ours: nothing saved

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"

    state = models.CharField(max_length=10, choices=State.choices, default="queued")
    format = models.CharField(max_length=4, choices=Format.choices)
    body = models.TextField(blank=True)
    # People in the body as counted when it was sent (not past MAX_ROWS; a quoted
    # line break in a CSV file counts one more): the progress bar's length.
    rows = models.PositiveIntegerField(default=0)
    force = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    deactivate_missing = models.BooleanField(default=True)
    welcome = models.BooleanField(default=True)
    requested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The uploaded file's name; empty for a body sent through the API.
    file_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    # Handed to the broker (core.dispatch); cleared when a worker claims it.
    queued_at = models.DateTimeField(null=True, blank=True)
    # The current claim's instant: its lease and its token. `attempts` counts the
    # claims, so a sync that kills every worker running it stops being retried.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    welcomed = models.PositiveIntegerField(default=0)
    # Each bad row: {"line" or "index", "field", "message"}; up to MAX_ERRORS.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"people sync {self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REJECTED, self.State.FAILED)

    @property
    def deactivation_refused(self) -> bool:
        """Refused for deactivating too many people (no bad row): sent again with
        force, it would run."""
        return self.state == self.State.REJECTED and self.error_count == 0
