"""Participation through the privacy engine: invitations answered per round, and
per cell of teams for the latest rounds.

A round's invitees (everyone invited, whether the email went out, came back or
not: fixed once the round has fanned out) are its population, in cells of at
least the survey's floor by the team they were in when invited (kept on the
invitation: a move later changes no count), so "answered 2 of 2" is never a
figure. Open rounds count too: participation is watched while a round runs (it
says who answered, nothing about what they said).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from dashboards.filters import Filters
from dashboards.privacy import (
    MERGED_AWAY,
    Names,
    People,
    RoundInfo,
    below_floor,
    by,
    populations,
    ratio,
    round_infos,
)
from dashboards.summaries import figure_populations, unit_rows
from surveys.models import Survey


def invitee_populations(rounds: dict[int, RoundInfo], people: People):
    """Each round's invitees in cells, for a view (`summaries.FIGURES`)."""
    # The invitations are the frame itself: no unit of theirs can be empty.
    return figure_populations("invitees", rounds, people, framed=False)


def rounds_seen(filters: Filters) -> list[RoundInfo]:
    """Every employee round the filters select, open ones too, oldest first."""
    rounds = round_infos(filters, Survey.Audience.EMPLOYEES, closed=False)
    return sorted(rounds.values(), key=lambda info: (info.starts_at, info.pk))


def participation(filters: Filters, rounds: Sequence[RoundInfo]) -> list[dict]:
    """One row per round: invited, answered and rate (%) of the view's cells, or
    hidden with the reason."""
    people = People.of(filters)
    found = invitee_populations({info.pk: info for info in rounds}, people)
    choices = by(found, people, lambda p: p.round.pk, what="invitees")
    names = Names.of(found)
    rows = []
    for info, label in zip(rounds, round_labels(rounds), strict=True):
        choice = choices.get(info.pk)
        shown = choice is not None and choice.shown
        rows.append(
            {
                **_round(info, label),
                "sent": choice.n if shown else None,
                "answered": choice.totals["answered"] if shown else None,
                "rate": ratio(choice.totals["answered"], choice.n) if shown else None,
                "suppressed": not shown,
                "reason": "" if shown or choice is None else choice.reason,
                "covers": names.say(choice) if shown else "",
            }
        )
    return rows


def team_participation(filters: Filters, rounds: Sequence[RoundInfo]) -> list[dict]:
    """One row per cell of teams and round: sent, answered, rate; a team the
    view asks for that no shown cell holds is a hidden row saying why."""
    # Rows per cell: the cells themselves, even for a view of everyone. The
    # invitations are the frame itself (a round's go to people, or to customers
    # with no unit, never both), as in `invitee_populations`: the same cells,
    # without reading every invitation again for its units.
    by_pk = {info.pk: info for info in rounds}
    found = populations(unit_rows("invitees", by_pk), by_pk, framed=False)
    # Each round's own columns, once: a round has a row per cell.
    columns = {
        info.pk: _round(info, label)
        for info, label in zip(rounds, round_labels(rounds), strict=True)
    }
    people = People.of(filters)
    names = Names.of(found)
    rows = []
    for population in found:
        info = population.round
        for cell in population.cells:
            asked = [u for u in cell.units if people.asks_for(u)]
            if not asked:
                continue
            row = columns[info.pk]
            if cell.shown and people.may_see(cell):
                sent = cell.n
                answered = sum(population.stats[u]["answered"] for u in cell.units)
                rows.append(
                    {
                        **row,
                        "team": tuple(sorted(str(t) for t in cell.teams)),
                        "team_name": names.units(cell.units),
                        "sent": sent,
                        "answered": answered,
                        "rate": ratio(answered, sent),
                        "suppressed": False,
                        "reason": "",
                    }
                )
                continue
            reason = MERGED_AWAY if cell.shown else below_floor(cell.floor, "invitees")
            for unit in asked:
                rows.append(
                    {
                        **row,
                        "team": (str(unit[1]),),
                        "team_name": names.unit(unit),
                        "sent": None,
                        "answered": None,
                        "rate": None,
                        "suppressed": True,
                        "reason": reason,
                    }
                )
    rows.sort(key=lambda row: (row["team_name"], row["team"], row["starts"]))
    return rows


def _round(info: RoundInfo, label: str) -> dict:
    return {
        "round": info.pk,
        "label": label,
        "survey": info.survey_title,
        "starts": _local_day(info),
        "published": info.published,
        "closed": info.closed,
        "floor": info.floor,
    }


def round_labels(rounds: Sequence[RoundInfo]) -> list[str]:
    """A distinct label per round: its start day, and its survey when several."""
    several = len({info.survey for info in rounds}) > 1
    labels, seen = [], {}
    for info in rounds:
        day = _local_day(info)
        label = f"{day.day} {day:%b %Y}" + (
            f" · {info.survey_title}" if several else ""
        )
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _local_day(info: RoundInfo) -> dt.date:
    return timezone.localtime(info.starts_at).date()
