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
A question naming a tool the round did not keep (added while it was open) waits
for the next round: whom a round asks about a tool is fixed when it opens.
`None`: a round from before rounds kept it, or made outside `rounds_open_due`;
it follows the tools' teams and the survey's questions now. Customers are asked
every question of their survey: their rounds keep `None` as every tool's
teams.
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


def questions_asked_filter(tools_asked: Mapping | None, team: int | None) -> Q:
    """On questions: those a person invited in `team` is asked in a round that
    kept `tools_asked`. Questions naming no tool pass; a tool the round kept is
    asked of its teams then, any other of nobody; in a round that kept nothing,
    of its teams now (one join, no extra query)."""
    asked = kept(tools_asked)
    if asked is None:
        return AITool.asked_of_filter(team, tool="ai_tool")
    yes = [tool for tool, entry in asked.items() if entry.asks(team)]
    return Q(ai_tool=None) | Q(ai_tool__in=yes)


def audiences(
    rounds: Iterable[tuple[int, int, Mapping | None, bool]],
    *,
    tools: Iterable[int] | None = None,
) -> dict[int, dict[int, Asked]]:
    """Per round, per AI tool it asked about (only `tools`, if given), of whom.
    `rounds` are (round id, survey id, `tools_asked`, whether customers'). A
    round that kept nothing follows its survey's questions and the tools' teams
    now: two queries for all such rounds, none when every round kept its
    own."""
    from surveys.models import Question

    wanted = None if tools is None else set(tools)
    found: dict[int, dict[int, Asked]] = {}
    unkept: dict[int, list[tuple[int, bool]]] = {}  # by survey: (round, customers')
    for pk, survey, tools_asked, customers in rounds:
        asked = kept(tools_asked)
        if asked is None:
            unkept.setdefault(survey, []).append((pk, customers))
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
    teams = _teams_now({tool for per in kinds.values() for tool in per})
    for survey, members in unkept.items():
        for pk, customers in members:
            found[pk] = {
                tool: Asked(
                    None if customers or not teams[tool] else frozenset(teams[tool]),
                    frozenset(tool_kinds),
                )
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
