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
from surveys.models import Round


class RoundSummary(models.Model):
    """A round whose figures are summarised: its `UnitFigure` rows, written in
    the same transaction, are complete and never change."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="+")
    summarised_at = models.DateTimeField()

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
