"""The answering form: one field per question, typed and bounded by its kind."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms

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


class AnswerForm(forms.Form):
    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {f"q{q.pk}": q for q in questions}
        layout = []
        for name, question in self.questions.items():
            self.fields[name] = _field(question)
            inline = question.kind in (Question.Kind.ENPS, Question.Kind.AI_ACCURACY)
            layout.append(InlineRadios(name) if inline else Field(name))
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's own <form> carries the CSRF token
        self.helper.layout = Layout(*layout, Submit("submit", "Send my answers"))

    def answers(self) -> dict[Question, object]:
        return {q: self.cleaned_data.get(name) for name, q in self.questions.items()}


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
            widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
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
    return forms.CharField(
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        **common,
    )
