"""Ready-made surveys HR can start from: "AI rollout pulse" and "Customer trust".

A template is plain data; `survey_from_template` turns it into a draft Survey with
its questions, which HR then edits, previews and activates like any other.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from core.unique import unique_save
from org.models import AITool, Person
from surveys.models import Question, Survey, title_key

Kind, Driver = Question.Kind, Question.Driver


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    driver: str = ""
    required: bool = True
    help_text: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    intro: str
    audience: str
    questions: tuple[QuestionSpec, ...]
    # Per live AI tool: an hours-saved and an accuracy question, before the last two
    # questions (employees).
    per_tool: bool = False
    # Per live AI tool that serves customers: an optional satisfaction question,
    # after the first one, the overall satisfaction (customers).
    per_customer_tool: bool = False
    defaults: dict[str, object] = field(default_factory=dict)


AI_ROLLOUT_PULSE = Template(
    key="ai-rollout-pulse",
    title="AI rollout pulse",
    intro=(
        "A few minutes on how the AI tools are working for you. Leaders read the "
        "results every round and answer on the feedback board."
    ),
    audience=Survey.Audience.EMPLOYEES,
    questions=(
        QuestionSpec(
            Kind.LIKERT,
            "I trust the AI tools I have been given to help me do good work.",
            Driver.TRUST,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "I understand why we are introducing AI and what it is for.",
            Driver.CLARITY,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "I feel secure about my job as AI tools are introduced.",
            Driver.JOB_SECURITY,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "I am confident AI tools are not used to watch over my work unfairly.",
            Driver.SURVEILLANCE,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "My workload is manageable with the AI tools we use.",
            Driver.WORKLOAD,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "I have had the training I need to use AI tools well.",
            Driver.TRAINING,
        ),
        QuestionSpec(
            Kind.LIKERT,
            "When I raise a concern about AI, I know who will answer it.",
            Driver.ACCOUNTABILITY,
        ),
        QuestionSpec(
            Kind.ENPS,
            "How likely are you to recommend this company as a place to work?",
        ),
        QuestionSpec(
            Kind.FREE_TEXT,
            "What one thing would make AI work better for you here?",
            required=False,
        ),
    ),
    per_tool=True,
    defaults={"cadence": "biweekly", "weekday": 1, "open_days": 5},
)

CUSTOMER_TRUST = Template(
    key="customer-trust",
    title="Customer trust",
    intro="A minute on your recent experience with us. Thank you for helping.",
    audience=Survey.Audience.CUSTOMERS,
    questions=(
        QuestionSpec(
            Kind.CSAT, "How satisfied are you with the support you received recently?"
        ),
        QuestionSpec(
            Kind.ENPS, "How likely are you to recommend us to a colleague or friend?"
        ),
        QuestionSpec(
            Kind.LIKERT, "I trust how this company uses AI with my data.", Driver.TRUST
        ),
        QuestionSpec(
            Kind.FREE_TEXT, "Anything you would like to tell us?", required=False
        ),
    ),
    per_customer_tool=True,
    defaults={"cadence": "monthly", "weekday": 2, "open_days": 10},
)

TEMPLATES = {t.key: t for t in (AI_ROLLOUT_PULSE, CUSTOMER_TRUST)}


def template_get(key: str) -> Template:
    """The template of that key; ValueError naming the known ones otherwise."""
    try:
        return TEMPLATES[key]
    except KeyError:
        raise ValueError(
            f"No survey template {key!r}; choose one of {', '.join(TEMPLATES)}."
        ) from None


def template_title(key: str) -> str:
    """A title for a new survey from the template that no survey (not archived)
    has: the template's own, else "<title> (copy)", "<title> (copy 2)", …"""
    taken = Survey.title_keys_in_use()
    return next(
        title
        for title in _copy_titles(template_get(key).title)
        if title_key(title) not in taken
    )


def _copy_titles(title: str) -> Iterator[str]:
    yield title
    yield f"{title} (copy)"
    for number in itertools.count(2):
        yield f"{title} (copy {number})"


def survey_from_template(
    key: str,
    *,
    first_date: dt.date,
    created_by: Person | None = None,
    tools: Iterable[AITool] | None = None,
    **fields: object,
) -> Survey:
    """Create a draft survey from a template, titled `template_title(key)` unless
    `fields` gives a title. `tools`, the AI tools its per-tool questions ask
    about, defaults to every live tool (for customers: every live tool that
    serves them). ValueError for an unknown key; ValidationError (by field) for a
    title another survey has, or fields that break a survey's rules."""
    template = template_get(key)
    attrs = {
        "title": template_title(key),
        "intro": template.intro,
        "audience": template.audience,
        **template.defaults,
        **fields,
    }
    survey = Survey(first_date=first_date, created_by=created_by, **attrs)
    survey.full_clean()
    with unique_save(recheck=survey.full_clean):
        survey.save()
        specs = list(template.questions)
        if template.per_tool:
            tools = _live_tools(tools)
            specs[-2:-2] = [spec for tool in tools for spec in _tool_questions(tool)]
        elif template.per_customer_tool:
            tools = _live_tools(tools, serves_customers=True)
            specs[1:1] = [_customer_tool_question(tool) for tool in tools]
        Question.objects.bulk_create(
            Question(
                survey=survey,
                position=position,
                kind=spec.kind,
                text=spec.text,
                driver=spec.driver,
                required=spec.required,
                help_text=spec.help_text,
                ai_tool=getattr(spec, "tool", None),
            )
            for position, spec in enumerate(specs, start=1)
        )
    return survey


@dataclass(frozen=True)
class _ToolSpec(QuestionSpec):
    tool: AITool | None = None


def _live_tools(tools: Iterable[AITool] | None, **scope: object) -> Iterable[AITool]:
    if tools is not None:
        return tools
    return AITool.objects.filter(status=AITool.Status.LIVE, **scope)


def _tool_questions(tool: AITool) -> list[QuestionSpec]:
    return [
        _ToolSpec(
            Kind.HOURS_SAVED,
            f"About how many hours did {tool.name} save you this week?",
            required=False,
            help_text="Your best guess; 0 if it saved none. Leave it blank if you do "
            "not use it.",
            tool=tool,
        ),
        _ToolSpec(
            Kind.AI_ACCURACY,
            f"This week, {tool.name}'s output was usually:",
            required=False,
            help_text="Think of the outputs you checked.",
            tool=tool,
        ),
    ]


def _customer_tool_question(tool: AITool) -> QuestionSpec:
    # Optional: a customer who got no help from the tool leaves it blank, so the
    # tool's CSAT counts only those it served.
    return _ToolSpec(
        Kind.CSAT,
        f"How satisfied were you with the help you got from {tool.name}?",
        required=False,
        help_text="Leave it blank if you did not get help from it.",
        tool=tool,
    )
