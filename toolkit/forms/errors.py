"""Errors of the forms stage."""

from toolkit.errors import ToolkitError


class FormError(ToolkitError):
    """A form definition that cannot be used, or an answer that breaks its form."""


class ExpressionError(FormError):
    """An expression (or a regular expression inside one) that cannot be parsed or run.

    ``what`` says what is wrong and ``fix`` what to do, so callers can name the question and field.
    """
