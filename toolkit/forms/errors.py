"""Errors of the forms stage."""

from toolkit.errors import ToolkitError


class FormError(ToolkitError):
    """A form definition that cannot be used, or an answer that breaks its form."""
