"""The topics stage's error type."""

from toolkit.errors import ToolkitError


class TopicsError(ToolkitError):
    """Topic modelling could not run: bad parameters, empty input, unknown column, bad curation step."""
