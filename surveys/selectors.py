"""Read-only queries about surveys, for pages and dashboards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from surveys.models import Invitation, Round


@dataclass(frozen=True)
class Participation:
    """How many were invited and answered in a round; never who."""

    round: Round
    sent: int
    answered: int
    # False when fewer were invited than the survey's minimum group size: then even
    # the counts stay hidden, since "1 of 2 answered" already says too much.
    visible: bool

    @property
    def rate(self) -> float | None:
        if not self.visible or not self.sent:
            return None
        return self.answered / self.sent


def participation_for_rounds(rounds: Iterable[Round]) -> list[Participation]:
    """Participation of each round, in one query whatever the number of rounds."""
    rounds = list(rounds)
    counts = {
        row["round"]: row
        for row in Invitation.objects.filter(round__in=rounds)
        .values("round")
        .annotate(
            # A bounced email reached nobody: it does not count as sent.
            sent=Count("pk", filter=Q(sent_at__isnull=False, bounced_at=None)),
            answered=Count("pk", filter=Q(responded_on__isnull=False)),
        )
    }
    result = []
    for round_ in rounds:
        row = counts.get(round_.pk, {"sent": 0, "answered": 0})
        visible = row["sent"] >= round_.survey.min_group_size
        result.append(
            Participation(
                round_,
                row["sent"] if visible else 0,
                row["answered"] if visible else 0,
                visible,
            )
        )
    return result


def open_invitations_for(person, *, now) -> list[Invitation]:
    """The person's invitations to rounds open now that they have not answered."""
    return list(
        Invitation.objects.filter(
            person=person,
            responded_on=None,
            round__closed_at=None,
            round__starts_at__lte=now,
            round__closes_at__gt=now,
        )
        .select_related("round__survey")
        .order_by("round__closes_at")
    )
