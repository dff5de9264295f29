"""The sample stage's one exception type."""

from toolkit.errors import ToolkitError


class SampleError(ToolkitError):
    """Bad arguments to the sample data generator (size, dates, form)."""
