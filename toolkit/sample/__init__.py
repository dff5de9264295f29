"""Sample data: synthetic residents' concerns and full form responses, seeded, with ground truth, and
responses rendered as each platform's export (问卷星, 腾讯问卷, Kobo/ODK, a plain table) for tests,
benchmarks and demo files.

>>> from toolkit.sample import generate_concerns, generate_responses, write_export
>>> df = generate_concerns(10_000, seed=0)                     # doctest: +SKIP
>>> records = generate_responses(form, 500, seed=0)            # doctest: +SKIP
>>> write_export(form, records, "wjx.xlsx", platform="wjx")    # doctest: +SKIP
"""

from toolkit.lazy import lazy_exports
from toolkit.sample.concerns import generate_concerns
from toolkit.sample.errors import SampleError

# Responses and exports pull in the forms stage; load them only when asked.
_EXPORTS = {
    "generate_responses": "toolkit.sample.responses",
    "kobo_table": "toolkit.sample.exports",
    "plain_table": "toolkit.sample.exports",
    "tencent_table": "toolkit.sample.exports",
    "wjx_table": "toolkit.sample.exports",
    "write_export": "toolkit.sample.exports",
    "write_rows": "toolkit.sample.exports",
}
__all__ = ["SampleError", "generate_concerns", *_EXPORTS]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
