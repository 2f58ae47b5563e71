"""Read models: the figures of closed rounds, summarised once.

A closed round whose anonymous answers are all released never changes (its
links stop working, its floor and its people's teams are kept, and a team or
question with answers cannot be deleted), so its numbers per unit are worked out
once (`dashboards.summaries`) and pages add up these rows instead of the round's
raw answers: a page's cost follows its rounds and teams, not its history.
"""

from __future__ import annotations

from django.db import models

from org.models import AITool, Department, Team
from surveys.models import Answer, Round


class RoundSummary(models.Model):
    """A round whose figures are summarised: its `UnitFigure` rows, written in
    the same transaction, are complete and never change."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="+")
    summarised_at = models.DateTimeField()
    # The floor its `DriverCell`s were cut at: the round's then (None: written
    # before they were). A round that follows its survey's floor (one from
    # before rounds kept theirs) may since have another, and then its cells are
    # cut again from its `UnitFigure`s, never read from these.
    floor = models.PositiveSmallIntegerField(null=True)

    def __str__(self) -> str:
        return f"Summary of {self.round_id}"


class UnitFigure(models.Model):
    """One round's numbers for one figure in one unit (the team and department
    people answered from, or were invited in), with the driver or AI tool it is
    for: what the raw grouped query of that figure returns, row for row
    (`dashboards.summaries`).

    Teams, departments and tools are protected as answers protect them: a
    summarised round's cells must never change.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=20)  # a key of summaries.FIGURES
    # The round's units summed (no team, no department): what a view of
    # everyone adds up, one row a round instead of one a team.
    whole = models.BooleanField(default=False)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, related_name="+"
    )
    driver = models.CharField(max_length=20, blank=True)
    tool = models.ForeignKey(
        AITool, on_delete=models.PROTECT, null=True, related_name="+"
    )
    people = models.PositiveIntegerField()  # respondents (invitees) counted
    answers = models.PositiveIntegerField(null=True)
    # Sums of answers (Answer.number has one decimal place): exact, as the
    # database's own sum of them.
    total = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    promoters = models.PositiveIntegerField(null=True)
    detractors = models.PositiveIntegerField(null=True)
    scored = models.PositiveIntegerField(null=True)  # comments with a sentiment
    # Their sentiment's sum, each to VADER's four decimals: exact too.
    tone = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    satisfied = models.PositiveIntegerField(null=True)  # CSAT answers of 4-5
    answered = models.PositiveIntegerField(null=True)  # invitations answered
    # AI accuracy verdicts (org.models.Accuracy).
    correct = models.PositiveIntegerField(null=True)
    mostly_correct = models.PositiveIntegerField(null=True)
    incorrect = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["round", "figure"])]

    def __str__(self) -> str:
        return f"{self.figure} of round {self.round_id}"


class DriverCell(models.Model):
    """One summarised round's cell of the sentiment index's people (as
    `dashboards.privacy.partition` cut it at the round's floor), and a driver's
    numbers in it: the drivers heatmap of a view of everyone adds these up
    across rounds in the database (`dashboards.metrics.drivers`).

    Each cell has a row of its own (`driver` ""): `people` in it and whether it
    is `shown`. A shown cell has a row per driver answered in it, and whether
    it `counted` (at least the floor answered it there, `privacy.attached_in`);
    if so, those who did, their answers and their sum."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    units = models.TextField()  # privacy.units_key: "department:team,..."
    floor = models.PositiveSmallIntegerField()
    shown = models.BooleanField()
    driver = models.CharField(max_length=20, blank=True)
    # Everyone in the cell; for a driver, those who answered it, if it counted.
    people = models.PositiveIntegerField(null=True)
    counted = models.BooleanField(default=False)
    answers = models.PositiveIntegerField(null=True)
    total = models.DecimalField(max_digits=16, decimal_places=1, null=True)

    class Meta:
        indexes = [models.Index(fields=["round", "driver"])]

    def __str__(self) -> str:
        return f"Cell {self.units} of round {self.round_id}"


class UnitComment(models.Model):
    """One comment (a non-empty free-text answer) of a summarised round, with
    the unit it was given from and its question's driver as asked: the comments
    page ranks a round's comments from these, not from every answer ever given
    (answers know their round only through their response). The text and its
    sentiment stay on the answer, read through `answer`: one copy of each."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, related_name="+"
    )
    driver = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["round", "department", "team"])]

    def __str__(self) -> str:
        return f"Comment {self.answer_id} of round {self.round_id}"
