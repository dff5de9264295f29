"""Forms: the model of a questionnaire, its skip-logic expressions, YAML files and checks.

>>> from toolkit.forms import load_form, validate_answers
>>> form = load_form("surveys/annual_topics.yaml")               # doctest: +SKIP
>>> clean, problems = validate_answers(form, {"sector": "x"})     # doctest: +SKIP
"""

from toolkit.forms.check import FILL_IN, check_form, load_form
from toolkit.forms.errors import FormError
from toolkit.forms.expressions import Expression, ExpressionError, parse
from toolkit.forms.model import (
    CHOICE_KINDS,
    KIND_LABELS,
    KINDS,
    OTHER,
    OTHER_LABEL,
    ROLES,
    TEXT_KINDS,
    Choice,
    Form,
    Question,
    expression_scope,
    flatten_answers,
    other_key,
)
from toolkit.forms.problems import Problem
from toolkit.forms.validate import AnswerProblem, is_blank, relevant_questions, validate_answers
from toolkit.forms.versions import upgrade_answers
from toolkit.forms.wording import condition_in_words
from toolkit.forms.yaml_io import dump_form, form_from_dict, read_form

__all__ = [
    "AnswerProblem",
    "CHOICE_KINDS",
    "FILL_IN",
    "condition_in_words",
    "upgrade_answers",
    "Choice",
    "Expression",
    "ExpressionError",
    "Form",
    "FormError",
    "KINDS",
    "KIND_LABELS",
    "OTHER",
    "expression_scope",
    "flatten_answers",
    "OTHER_LABEL",
    "Problem",
    "Question",
    "ROLES",
    "TEXT_KINDS",
    "check_form",
    "dump_form",
    "form_from_dict",
    "is_blank",
    "load_form",
    "other_key",
    "parse",
    "read_form",
    "relevant_questions",
    "validate_answers",
]
