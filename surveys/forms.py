"""The answering form: one field per question, typed and bounded by its kind.

It renders itself with plain Bootstrap markup (`surveys/answer_form.html`), not
crispy-forms, whose per-field templates cost most of the answering page's time.
An unanswered form's markup depends only on its questions, so it is rendered once
per question set and kept in this process; a form with answers (re-shown with
errors) is rendered afresh, since it holds what one person typed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from org.models import Accuracy
from surveys.models import Question

AGREEMENT = [
    (1, "1: Strongly disagree"),
    (2, "2: Disagree"),
    (3, "3: Neutral"),
    (4, "4: Agree"),
    (5, "5: Strongly agree"),
]
SATISFACTION = [
    (1, "1: Very dissatisfied"),
    (2, "2: Dissatisfied"),
    (3, "3: Neutral"),
    (4, "4: Satisfied"),
    (5, "5: Very satisfied"),
]
RECOMMEND = [(n, str(n)) for n in range(11)]
TEXT_LIMIT = 2000
SCALES = {
    Question.Kind.LIKERT: AGREEMENT,
    Question.Kind.CSAT: SATISFACTION,
    Question.Kind.ENPS: RECOMMEND,
}


# Scales shown on one line: short labels that read as a row of numbers or words.
INLINE = frozenset({Question.Kind.ENPS, Question.Kind.AI_ACCURACY})
# Question sets whose markup is kept; a round asks a handful (one per team that a
# tool reaches), so this holds every open round's many times over.
MARKUP_KEPT = 128


class AnswerField(forms.BoundField):
    """A question's field with what its markup needs, worked out once."""

    @cached_property
    def inline(self) -> bool:
        return self.form.questions[self.name].kind in INLINE

    @cached_property
    def described_by(self) -> str:
        """The ids of its help text and error message, as aria-describedby."""
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}_helptext")
        if self.errors:
            ids.append(f"{self.auto_id}_error")
        return " ".join(ids)

    def options(self) -> list[tuple[str, str, bool]]:
        """(value, label, chosen) of each answer of a scale or choice."""
        current = self.value()
        current = "" if current is None else str(current)
        return [
            (str(value), label, str(value) == current)
            for value, label in self.field.choices
        ]


class AnswerForm(forms.Form):
    template_name = "surveys/answer_form.html"
    bound_field_class = AnswerField

    def __init__(self, questions: list[Question], *args, **kwargs):
        self.questions = {f"q{q.pk}": q for q in questions}
        super().__init__(*args, **kwargs)

    # The fields are made on first use: an unanswered page whose markup is kept
    # needs none. Making fifteen cost a fifth of a POST, so they are made once
    # per question set and shared by its forms: a field only describes a
    # question (its label, choices and limits) and cleaning a value changes
    # nothing in it; whatever one person sent stays on their form and its bound
    # fields. Nothing here changes a field after it is made.
    @property
    def fields(self) -> dict[str, forms.Field]:
        if self._fields is None:
            key = self.markup_key()
            fields = _fields.get(key)
            if fields is None:
                fields = {name: _field(q) for name, q in self.questions.items()}
                _fields.put(key, fields)
            self._fields = dict(fields)
        return self._fields

    @fields.setter
    def fields(self, fields: dict[str, forms.Field]) -> None:
        # Django's setup sets the (no) declared fields: made on first use instead.
        self._fields = fields or None

    def __getitem__(self, name: str) -> forms.BoundField:
        # A template's `form.errors` tries `form["errors"]` first: answered here
        # without making every field, which Django's own lookup would (to list
        # them in its message), on every page of an unanswered form.
        if name not in self.questions:
            raise KeyError(f"{name!r} is not a question of this form.")
        return super().__getitem__(name)

    def answers(self) -> dict[Question, object]:
        return {q: self.cleaned_data.get(name) for name, q in self.questions.items()}

    def render(self, template_name=None, context=None, renderer=None) -> SafeString:
        plain = self.prefix is None and self.auto_id == "id_%s"
        if self.is_bound or not plain or template_name or context or renderer:
            return super().render(template_name, context, renderer)
        key = self.markup_key()
        markup = _markup.get(key)
        if markup is None:
            markup = super().render()
            _markup.put(key, markup)
        return markup

    __str__ = __html__ = render  # as Django's own, bound to this render

    def markup_key(self) -> tuple:
        """Everything about the questions that their unanswered markup shows (and
        their fields are made of)."""
        return tuple(
            (q.pk, q.kind, q.text, q.help_text, q.required, tuple(q.choices))
            + (q.max_hours,)
            for q in self.questions.values()
        )


class Kept:
    """A small least-recently-used store, safe under a threaded server."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: tuple, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_markup = Kept(MARKUP_KEPT)
_fields = Kept(MARKUP_KEPT)


def _field(question: Question) -> forms.Field:
    help_text = question.help_text
    if question.kind == Question.Kind.ENPS and not help_text:
        help_text = "0 means not at all likely, 10 extremely likely."
    common = {
        "label": question.text,
        "help_text": help_text,
        "required": question.required,
    }
    if question.kind in SCALES:
        return forms.TypedChoiceField(
            choices=SCALES[question.kind],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Please choose an answer.",
                "invalid_choice": "Please choose one of the answers shown.",
            },
            **common,
        )
    if question.kind == Question.Kind.HOURS_SAVED:
        return forms.DecimalField(
            min_value=Decimal(0),
            max_value=Decimal(question.max_hours),
            max_digits=4,
            decimal_places=1,
            error_messages={"required": "Please give your best guess, 0 if none."},
            **common,
        )
    if question.kind == Question.Kind.AI_ACCURACY:
        return forms.ChoiceField(
            choices=Accuracy.choices, widget=forms.RadioSelect, **common
        )
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(c, c) for c in question.choices],
            widget=forms.RadioSelect,
            **common,
        )
    return forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea, **common)
