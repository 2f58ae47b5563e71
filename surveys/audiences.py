"""Who a round asks about each AI tool: the one rule the answering page and the
dashboards' privacy engine both follow.

A question naming an AI tool goes only to the teams the tool is rolled out to
(none: everyone). Those teams change; a round keeps them as they were when it
opened (`Round.tools_asked`), so that what it asks and the population its
answers are counted in (the dashboards' frame: every unit asked, answered or
not) are the same fixed set. Were the frame read from the tool's teams today, or
from the units that answered, a view of a one-person team would list a week
exactly when that person answered.

`Round.tools_asked` is {"<tool id>": {"teams": [team ids] | None, "kinds":
[question kinds]}} for each tool the survey asked about when the round opened.
A question naming a tool, of a kind the round did not keep for that tool (added
while it was open), waits for the next round: whom a round asks about a tool,
and what, is fixed when it opens; else the tool's population would exist only
where someone answered the new question. Customers are asked about every tool
their round kept: their rounds keep `None` as every tool's teams. `None` as
the whole record: a round made outside `rounds_open_due`; it asks by the tools'
teams now, and the dashboards frame it as having asked everyone invited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q

from org.models import AITool


@dataclass(frozen=True)
class Asked:
    """Of whom a round asked one AI tool's questions: `teams` (None: everyone
    invited) and the kinds of question (`Question.Kind` values)."""

    teams: frozenset[int] | None
    kinds: frozenset[str]

    def asks(self, team: int | None) -> bool:
        """Whether someone invited in `team` (None: no team, or a customer's
        invitation in a round of everyone) was asked."""
        return self.teams is None or team in self.teams


def tools_asked_now(survey) -> dict[str, dict]:
    """What a round of `survey` opening now keeps as `Round.tools_asked`: each
    AI tool its questions name, with the tool's teams today (None for customers'
    surveys, or a tool rolled out to everyone) and the kinds asked. Two
    queries."""
    from surveys.models import Question, Survey

    kinds: dict[int, set[str]] = {}
    for tool, kind in (
        Question.objects.filter(survey=survey, ai_tool__isnull=False)
        .order_by()
        .values_list("ai_tool", "kind")
        .distinct()
    ):
        kinds.setdefault(tool, set()).add(kind)
    teams = _teams_now(kinds)
    everyone = survey.audience == Survey.Audience.CUSTOMERS
    return {
        str(tool): {
            "teams": None if everyone or not teams[tool] else sorted(teams[tool]),
            "kinds": sorted(kinds[tool]),
        }
        for tool in sorted(kinds)
    }


def kept(tools_asked: Mapping | None) -> dict[int, Asked] | None:
    """`Round.tools_asked` read back, by tool id; None if the round kept none."""
    if tools_asked is None:
        return None
    return {
        int(tool): Asked(
            None if entry["teams"] is None else frozenset(entry["teams"]),
            frozenset(entry["kinds"]),
        )
        for tool, entry in tools_asked.items()
    }


def questions_asked_filter(
    tools_asked: Mapping | None, team: int | None, *, customer: bool = False
) -> Q:
    """On questions: those an invitee is asked in a round that kept
    `tools_asked`: a person invited in `team`, or a customer (`customer`).
    Questions naming no tool pass; a question naming a tool, only if the round
    kept that tool and that kind of question, for the invitee's team (customers:
    any). In a round that kept nothing, a person is asked by the tools' teams
    now and a customer everything. No extra query."""
    asked = tools_asked_of(tools_asked, team, customer=customer)
    if asked is None:
        return Q() if customer else AITool.asked_of_filter(team, tool="ai_tool")
    found = Q(ai_tool=None)
    for tool, kinds in asked.items():
        found |= Q(ai_tool=tool, kind__in=sorted(kinds))
    return found


def tools_asked_of(
    tools_asked: Mapping | None, team: int | None, *, customer: bool = False
) -> dict[int, frozenset[str]] | None:
    """Per AI tool a round that kept `tools_asked` asks an invitee about (a
    person invited in `team`, or a customer), the kinds of question; None if
    the round kept nothing. `questions_asked_filter` as a lookup, for a page
    that has the questions already."""
    asked = kept(tools_asked)
    if asked is None:
        return None
    return {
        tool: entry.kinds
        for tool, entry in asked.items()
        if customer or entry.asks(team)
    }


def audiences(
    rounds: Iterable[tuple[int, int, Mapping | None, bool]],
    *,
    tools: Iterable[int] | None = None,
) -> dict[int, dict[int, Asked]]:
    """Per round, per AI tool it asked about (only `tools`, if given), of whom,
    for the dashboards' frames. `rounds` are (round id, survey id, `tools_asked`,
    whether customers'). A round that kept nothing counts as having asked
    everyone it invited about each tool its survey's questions name now: a frame
    wider than those asked only merges more, where the tools' teams now could
    leave out a team asked then, which would be listed only if it answered. One
    query for all such rounds, none when every round kept its own."""
    from surveys.models import Question

    wanted = None if tools is None else set(tools)
    found: dict[int, dict[int, Asked]] = {}
    unkept: dict[int, list[int]] = {}  # round ids, by survey
    for pk, survey, tools_asked, _ in rounds:
        asked = kept(tools_asked)
        if asked is None:
            unkept.setdefault(survey, []).append(pk)
        else:
            found[pk] = {
                tool: entry
                for tool, entry in asked.items()
                if wanted is None or tool in wanted
            }
    if not unkept:
        return found
    questions = Question.objects.filter(survey__in=list(unkept), ai_tool__isnull=False)
    if wanted is not None:
        questions = questions.filter(ai_tool__in=wanted)
    kinds: dict[int, dict[int, set[str]]] = {}
    for survey, tool, kind in (
        questions.order_by().values_list("survey", "ai_tool", "kind").distinct()
    ):
        kinds.setdefault(survey, {}).setdefault(tool, set()).add(kind)
    for survey, members in unkept.items():
        for pk in members:
            found[pk] = {
                tool: Asked(None, frozenset(tool_kinds))
                for tool, tool_kinds in kinds.get(survey, {}).items()
            }
    return found


def _teams_now(tools: Iterable[int]) -> dict[int, set[int]]:
    """Each tool's teams today (empty: everyone). One query, none for no tool."""
    tools = list(tools)
    teams: dict[int, set[int]] = {tool: set() for tool in tools}
    if tools:
        through = AITool.teams.through.objects.filter(aitool__in=tools)
        for tool, team in through.values_list("aitool", "team"):
            teams[tool].add(team)
    return teams
