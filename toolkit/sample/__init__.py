"""Sample data: synthetic residents' concerns and full form responses, seeded, with ground truth.

>>> from toolkit.sample import generate_concerns, generate_responses
>>> df = generate_concerns(10_000, seed=0)                     # doctest: +SKIP
>>> records = generate_responses(form, 500, seed=0)            # doctest: +SKIP
"""

from toolkit.sample.concerns import generate_concerns
from toolkit.sample.errors import SampleError

__all__ = ["SampleError", "generate_concerns", "generate_responses"]


def __getattr__(name):
    # Responses pull in the forms stage; load it only when asked.
    if name == "generate_responses":
        from toolkit.sample.responses import generate_responses

        return generate_responses
    raise AttributeError(name)
