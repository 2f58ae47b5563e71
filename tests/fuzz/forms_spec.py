"""Every form the project takes by POST: where it is, who may post it, its fields
and what a whole write looks like when it is accepted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from feedback.models import Category, Status
from org.models import Accuracy, AITool
from surveys.models import Question, Survey
from tests.fuzz import strategies as s


@dataclass
class Form:
    name: str  # the URL's name
    path: Callable  # world -> path
    role: str | None  # who posts it: a World person, or None (signed out)
    fields: Callable  # world -> {field: strategy of one value}
    whole: Callable | None = None  # (world, data, before, after) -> None: asserts
    ok_200: bool = False  # a page that answers 200, not a redirect, when it works


def _counts_grew(before: dict, after: dict, **growth: int) -> None:
    for table, rows in growth.items():
        assert after[table] - before[table] == rows, (
            table,
            before[table],
            after[table],
        )


def _concern_raised(world, data, before, after) -> None:
    _counts_grew(before, after, feedback_concern=1, feedback_statuschange=1)


def _answered(world, data, before, after) -> None:
    """A confidential response has an answer to every required question."""
    from surveys.models import Response

    response = Response.objects.get(invitation=world.named_invitation)
    answered = set(response.answers.values_list("question", flat=True))
    required = {q.pk for q in world.questions if q.required}
    assert required <= answered, (required, answered)
    _counts_grew(before, after, surveys_response=1, surveys_answer=len(answered))


def _sealed(world, data, before, after) -> None:
    """An anonymous response waits sealed; released, it has every required answer."""
    from surveys.models import Response
    from surveys.services.release import sealed_responses_release

    _counts_grew(before, after, surveys_sealedresponse=1, surveys_response=0)
    round_ = world.anonymous_invitation.round
    assert sealed_responses_release(round_=round_, final=True) == 1
    response = Response.objects.get(round=round_)
    answered = set(response.answers.values_list("question__kind", flat=True))
    required = set(
        world.anonymous_survey.questions.filter(required=True).values_list(
            "kind", flat=True
        )
    )
    assert required <= answered, (required, answered)


def _status_moved(world, data, before, after) -> None:
    world.concern.refresh_from_db()
    assert world.concern.status == data["to_status"][-1]
    _counts_grew(before, after, feedback_statuschange=1)


def _reassigned(world, data, before, after) -> None:
    world.concern.refresh_from_db()
    assert str(world.concern.owner_id) == data["owner"][-1].strip()
    _counts_grew(before, after, feedback_statuschange=1)


def _merged(world, data, before, after) -> None:
    world.concern.refresh_from_db()
    assert world.concern.merged_into_id == world.survivor.pk
    assert after["feedback_statuschange"] > before["feedback_statuschange"]


def _never(world, data, before, after) -> None:
    raise AssertionError(f"accepted, and it must never be: {data}")


def _moved(survey: str, to: str):
    """A lifecycle move: the survey is in its new state, and nothing else grew."""

    def check(world, data, before, after) -> None:
        moved = getattr(world, survey)
        moved.refresh_from_db()
        assert moved.status == to, (moved.status, to)
        _counts_grew(before, after, surveys_survey=0, surveys_round=0)

    return check


def _kept_status(survey: str, status: str):
    """An edit saved: the survey is where it was in its life, and no row grew."""

    def check(world, data, before, after) -> None:
        edited = getattr(world, survey)
        edited.refresh_from_db()
        assert edited.status == status, (edited.status, status)
        _counts_grew(before, after, surveys_survey=0, surveys_question=0)

    return check


def _welcomed(world, data, before, after) -> None:
    from org.models import Welcome

    latest = Welcome.objects.filter(person=world.employee).latest("pk")
    assert latest.requested_by_id == world.hr.pk
    assert latest.sent_at is None
    _counts_grew(before, after, org_welcome=1)


def _move(name: str, survey: str, whole=None) -> Form:
    """A survey's lifecycle page, posted by HR: it takes no field."""
    return Form(
        f"surveys:survey_{name}",
        lambda w: reverse(f"surveys:survey_{name}", args=[getattr(w, survey).pk]),
        "hr",
        lambda w: {},
        whole,
    )


def _grew(**growth: int):
    return lambda world, data, before, after: _counts_grew(before, after, **growth)


def _answer_fields(questions) -> dict:
    values = {
        Question.Kind.LIKERT: s.choice(range(1, 6)),
        Question.Kind.ENPS: s.choice(range(0, 11)),
        Question.Kind.CSAT: s.choice(range(1, 6)),
        Question.Kind.HOURS_SAVED: s.choice(["0", "2.5", "40", "0.5"]),
        Question.Kind.AI_ACCURACY: s.choice(Accuracy.values),
        Question.Kind.SINGLE_CHOICE: s.choice(["Daily", "Weekly", "Never"]),
        Question.Kind.FREE_TEXT: s.nice_text,
    }
    return {f"q{q.pk}": values[q.kind] for q in questions}


def _survey_fields(w) -> dict:
    return {
        "title": s.nice_text,
        "intro": s.nice_text,
        "audience": s.choice(["employees", "employees", "customers"]),
        "departments": s.choice([w.employee.team.department_id]),
        "teams": s.choice([w.employee.team_id]),
        "segments": st.just(""),
        "privacy": s.choice(Survey.Privacy.values),
        "min_group_size": s.between(3, 12),
        "comment_threshold": s.between(3, 20),
        "cadence": s.choice(["weekly", "biweekly", "monthly", "quarterly", "once"]),
        "first_date": st.one_of(s.soon, s.date),
        "weekday": s.choice(range(7)),
        "start_time": st.one_of(s.choice(["09:00", "17:30"]), s.time),
        "open_days": s.between(1, 90),
        "reminder_count": s.between(0, 3),
        "reminder_interval_days": s.between(1, 30),
    }


def _question_fields(w) -> dict:
    return {
        # Valid together as a likert question; mangling a field tries the others.
        "kind": s.choice(["likert", "likert", *Question.Kind.values]),
        "text": s.nice_text,
        "help_text": s.nice_text,
        "driver": s.choice(["", "trust"]),
        "required": s.choice(["on", ""]),
        "choices": st.sampled_from(["", "A\nB", "A\nA", "x" * 300 + "\nB"]),
        "max_hours": s.between(1, 80),
        "ai_tool": s.choice(["", "", w.tool.pk, w.retired_tool.pk]),
    }


def _tool_fields(w) -> dict:
    return {
        "name": s.nice_text,
        "kind": s.choice(AITool.Kind.values),
        "status": s.choice(["pilot", "pilot", *AITool.Status.values]),
        "owner": s.choice([w.tool_owner.pk, w.hr.pk]),
        "purpose": s.nice_text,
        "acceptable_use": s.nice_text,
        "data_sensitivity": s.choice(AITool.Sensitivity.values),
        "serves_customers": s.choice(["on", ""]),
        "teams": s.choice([w.employee.team_id]),
    }


def _concern_fields(w) -> dict:
    return {
        "title": s.nice_text,
        "body": s.nice_text,
        "category": s.choice(Category.values),
        "ai_tool": s.ids([w.tool.pk, w.retired_tool.pk]),
        "anonymous": s.choice(["on", ""]),
    }


def _text_fields(*names: str):
    return lambda w: {name: s.nice_text for name in names}


def _c(w) -> int:
    return w.concern.pk


FORMS: list[Form] = [
    # The survey builder (HR).
    Form(
        "surveys:survey_create",
        lambda w: reverse("surveys:survey_create"),
        "hr",
        _survey_fields,
        _grew(surveys_survey=1),
    ),
    Form(
        "surveys:survey_edit",
        lambda w: reverse("surveys:survey_edit", args=[w.survey.pk]),
        "hr",
        _survey_fields,
        _grew(surveys_survey=0),
    ),
    Form(  # a draft: no round has opened, so its thresholds may go down
        "surveys:survey_edit",
        lambda w: reverse("surveys:survey_edit", args=[w.draft.pk]),
        "hr",
        _survey_fields,
        _kept_status("draft", Survey.Status.DRAFT),
    ),
    Form(  # archived: read-only, it and its questions
        "surveys:survey_edit",
        lambda w: reverse("surveys:survey_edit", args=[w.archived.pk]),
        "hr",
        _survey_fields,
        _never,
    ),
    Form(
        "surveys:question_create",
        lambda w: reverse("surveys:question_create", args=[w.archived.pk]),
        "hr",
        _question_fields,
        _never,
    ),
    Form(
        "surveys:question_edit",
        lambda w: reverse("surveys:question_edit", args=[w.archived_question.pk]),
        "hr",
        _question_fields,
        _never,
    ),
    Form(
        "surveys:question_delete",
        lambda w: reverse("surveys:question_delete", args=[w.archived_question.pk]),
        "hr",
        lambda w: {"confirm": s.nice_text},
        _never,
    ),
    Form(
        "surveys:survey_from_template",
        lambda w: reverse("surveys:survey_from_template"),
        "hr",
        lambda w: {
            "template": s.choice(["ai-rollout-pulse", "customer-trust", "x"]),
            "first_date": st.one_of(s.soon, s.date),
        },
    ),
    Form(
        "surveys:question_create",
        lambda w: reverse("surveys:question_create", args=[w.survey.pk]),
        "hr",
        _question_fields,
        _grew(surveys_question=1),
    ),
    Form(
        "surveys:question_edit",
        lambda w: reverse("surveys:question_edit", args=[w.questions[0].pk]),
        "hr",
        _question_fields,
        _grew(surveys_question=0),
    ),
    Form(
        "surveys:question_delete",
        lambda w: reverse("surveys:question_delete", args=[w.questions[-1].pk]),
        "hr",
        lambda w: {"confirm": s.nice_text},
        _grew(surveys_question=-1),
    ),
    Form(
        "surveys:question_move",
        lambda w: reverse("surveys:question_move", args=[w.questions[1].pk]),
        "hr",
        lambda w: {"direction": s.choice(["up", "down", "left"])},
        _grew(surveys_question=0),
    ),
    # A survey's life: each move from where it can start, and where it cannot.
    _move("activate", "draft", _moved("draft", Survey.Status.SCHEDULED)),
    _move("activate", "survey", _never),  # already scheduled
    _move("pause", "survey", _moved("survey", Survey.Status.PAUSED)),
    _move("resume", "paused", _moved("paused", Survey.Status.SCHEDULED)),
    _move("archive", "paused", _moved("paused", Survey.Status.ARCHIVED)),
    _move("archive", "survey", _never),  # a round is open
    _move("restore", "archived", _moved("archived", Survey.Status.PAUSED)),
    _move("restore", "draft", _never),  # never archived
    # Answering: by private link, and signed in.
    Form(
        "surveys:answer",
        lambda w: reverse("surveys:answer", args=[w.named_token]),
        None,
        lambda w: _answer_fields(w.questions),
        _answered,
    ),
    Form(
        "surveys:answer",
        lambda w: reverse("surveys:answer", args=[w.anonymous_token]),
        None,
        lambda w: _answer_fields(w.anonymous_survey.questions.all()),
        _sealed,
    ),
    Form(  # someone deactivated since: 410, nothing saved
        "surveys:answer",
        lambda w: reverse("surveys:answer", args=[w.leaver_token]),
        None,
        lambda w: _answer_fields(w.questions),
        _never,
    ),
    Form(
        "surveys:answer_signed_in",
        lambda w: reverse("surveys:answer_signed_in", args=[w.named_invitation.pk]),
        "employee",
        lambda w: _answer_fields(w.questions),
        _answered,
    ),
    # The board.
    Form(
        "feedback:concern_create",
        lambda w: reverse("feedback:concern_create"),
        "employee",
        _concern_fields,
        _concern_raised,
    ),
    Form(
        "feedback:concern_edit",
        lambda w: reverse("feedback:concern_edit", args=[_c(w)]),
        "employee",
        _text_fields("title", "body"),
        _grew(feedback_concern=0),
    ),
    Form(
        "feedback:comment_create",
        lambda w: reverse("feedback:comment_create", args=[_c(w)]),
        "leader",
        lambda w: {
            "body": s.nice_text,
            "parent": s.ids([w.comment.pk]),
            "official": s.choice(["on", ""]),
        },
        _grew(feedback_comment=1),
    ),
    Form(
        "feedback:comment_edit",
        lambda w: reverse("feedback:comment_edit", args=[w.comment.pk]),
        "employee",
        _text_fields("body"),
        _grew(feedback_comment=0),
    ),
    Form(
        "feedback:concern_support",
        lambda w: reverse("feedback:concern_support", args=[_c(w)]),
        "leader",
        lambda w: {"supported": s.choice(["0", "1"])},
    ),
    Form(
        "feedback:concern_follow",
        lambda w: reverse("feedback:concern_follow", args=[_c(w)]),
        "leader",
        lambda w: {"following": s.choice(["0", "1"])},
    ),
    Form(
        "feedback:concern_flag",
        lambda w: reverse("feedback:concern_flag", args=[_c(w)]),
        "employee",
        _text_fields("reason"),
        _grew(feedback_flag=1),
    ),
    Form(
        "feedback:comment_flag",
        lambda w: reverse("feedback:comment_flag", args=[w.comment.pk]),
        "leader",
        _text_fields("reason"),
    ),
    Form(
        "feedback:concern_status",
        lambda w: reverse("feedback:concern_status", args=[_c(w)]),
        "leader",
        lambda w: {"to_status": s.choice(Status.values), "note": s.nice_text},
        _status_moved,
    ),
    Form(
        "feedback:concern_reassign",
        lambda w: reverse("feedback:concern_reassign", args=[_c(w)]),
        "leader",
        lambda w: {
            "owner": s.ids([w.hr.pk, w.leader.pk, w.employee.pk]),
            "note": s.nice_text,
        },
        _reassigned,
    ),
    Form(
        "feedback:concern_merge",
        lambda w: reverse("feedback:concern_merge", args=[_c(w)]),
        "leader",
        lambda w: {"survivor": s.ids([w.survivor.pk, _c(w)])},
        _merged,
    ),
    Form(
        "feedback:concern_hide",
        lambda w: reverse("feedback:concern_hide", args=[_c(w)]),
        "hr",
        lambda w: {"reason": s.nice_text, "back": s.choice(["moderation", ""])},
    ),
    Form(
        "feedback:comment_hide",
        lambda w: reverse("feedback:comment_hide", args=[w.comment.pk]),
        "hr",
        lambda w: {"reason": s.nice_text, "back": s.choice(["moderation", ""])},
    ),
    Form(
        "feedback:flag_dismiss",
        lambda w: reverse("feedback:flag_dismiss", args=[w.flag.pk]),
        "hr",
        lambda w: {"reason": s.nice_text},
    ),
    Form(
        "feedback:update_create",
        lambda w: reverse("feedback:update_create"),
        "hr",
        lambda w: {
            "title": s.nice_text,
            "body": s.nice_text,
            "ai_tool": s.ids([w.tool.pk, w.retired_tool.pk]),
            "concerns": st.one_of(s.ids(w.ids), st.just(f"{_c(w)}, #{w.survivor.pk}")),
        },
        _grew(feedback_update=1),
    ),
    Form(
        "feedback:rate_output",
        lambda w: reverse("feedback:rate_output", args=[w.tool.pk]),
        "employee",
        lambda w: {"rating": s.choice(Accuracy.values), "note": s.nice_text},
        _grew(feedback_outputrating=1),
    ),
    Form(
        "feedback:customer_board",
        lambda w: reverse("feedback:customer_board", args=[w.customer_token]),
        None,
        lambda w: {k: v for k, v in _concern_fields(w).items() if k != "ai_tool"},
        _concern_raised,
    ),
    Form(  # a retired customer's link: 410, nothing saved
        "feedback:customer_board",
        lambda w: reverse("feedback:customer_board", args=[w.retired_customer_token]),
        None,
        lambda w: {k: v for k, v in _concern_fields(w).items() if k != "ai_tool"},
        _never,
    ),
    Form(
        "feedback:unsubscribe",
        lambda w: reverse("feedback:unsubscribe", args=[w.unsubscribe_token]),
        None,
        lambda w: {"confirm": s.nice_text},
        ok_200=True,
    ),
    # Org: AI tools (HR; a tool's owner edits their own).
    Form(
        "org:aitool_create",
        lambda w: reverse("org:aitool_create"),
        "hr",
        _tool_fields,
        _grew(org_aitool=1),
    ),
    Form(
        "org:aitool_edit",
        lambda w: reverse("org:aitool_edit", args=[w.tool.pk]),
        "tool_owner",
        _tool_fields,
        _grew(org_aitool=0),
    ),
    # Org: HR sends someone a welcome again (never to someone deactivated).
    Form(
        "org:person_welcome",
        lambda w: reverse("org:person_welcome", args=[w.employee.pk]),
        "hr",
        lambda w: {},
        _welcomed,
    ),
    Form(  # one is already waiting to go: it is the one that goes
        "org:person_welcome",
        lambda w: reverse("org:person_welcome", args=[w.tool_owner.pk]),
        "hr",
        lambda w: {},
        _grew(org_welcome=0),
    ),
    Form(
        "org:person_welcome",
        lambda w: reverse("org:person_welcome", args=[w.leaver.pk]),
        "hr",
        lambda w: {},
        _never,
    ),
    # Dashboards: HR publishes a closed round's results.
    Form(
        "dashboards:round_publish",
        lambda w: reverse("dashboards:round_publish", args=[w.closed_round.pk]),
        "hr",
        lambda w: {
            "next": st.one_of(
                s.nice_text, s.choice(["/", "//evil.example/", "https://evil.example"])
            )
        },
    ),
    # Signing in and out, and resetting a password.
    Form(
        "login",
        lambda w: reverse("login"),
        None,
        lambda w: {
            "username": s.choice([w.employee.user.email, "x@example.org"]),
            "password": s.nice_text,
            "next": s.nice_text,
        },
    ),
    Form("logout", lambda w: reverse("logout"), "employee", lambda w: {}),
    Form(
        "password_reset",
        lambda w: reverse("password_reset"),
        None,
        lambda w: {
            "email": s.choice([w.employee.user.email, "x@example.org", "a@b", "@"])
        },
    ),
    Form(
        "password_reset_confirm",
        lambda w: reverse("password_reset_confirm", args=["MQ", "set-password"]),
        None,
        lambda w: {"new_password1": s.nice_text, "new_password2": s.nice_text},
    ),
    Form(
        "api_pages:tokens",
        lambda w: reverse("api_pages:tokens"),
        "hr",
        lambda w: {
            "name": s.nice_text,
            "owner": s.choice([w.employee.user.email, "x@example.org", "@"]),
            "scope": s.choice(["read", "write", "admin"]),
            "expires_on": s.date,
        },
        ok_200=True,
    ),
    Form(
        "api_pages:token_revoke",
        lambda w: reverse("api_pages:token_revoke", args=[_token(w)]),
        "hr",
        lambda w: {},
    ),
]


def _token(w) -> int:
    from api.tokens import api_token_create

    return api_token_create(
        owner=w.employee.user, name="Fuzzed", scope="read", now=timezone.now()
    ).token.pk
