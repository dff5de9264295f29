"""微调研 toolkit: design surveys, enter and ingest responses, find issues, rank candidates, brief.

The workflow verbs are re-exported here and imported lazily, so ``import toolkit``
stays fast and a stage's heavy dependencies load only when that stage is used.

>>> import toolkit
>>> form = toolkit.load_form("surveys/annual_topics.yaml")      # doctest: +SKIP
>>> store = toolkit.open_store("data/demo.db")                   # doctest: +SKIP
"""

from __future__ import annotations

from toolkit.errors import ToolkitError
from toolkit.lazy import lazy_exports

# The one place the version is written: pyproject.toml reads it from here (setuptools dynamic).
__version__ = "0.1.0"

# public name -> sub-package that defines it
_EXPORTS = {
    "Form": "toolkit.forms",
    "Question": "toolkit.forms",
    "load_form": "toolkit.forms",
    "check_form": "toolkit.forms",
    "FormError": "toolkit.forms",
    "open_store": "toolkit.store",
    "Store": "toolkit.store",
    "StoreError": "toolkit.store",
    "generate_responses": "toolkit.sample",
    "generate_concerns": "toolkit.sample",
    "ingest": "toolkit.ingest",
    "EntryForm": "toolkit.entry",
    "TopicModel": "toolkit.topics",
    "rank_candidates": "toolkit.agenda",
    # runs across stages (fit, then render): toolkit.workflows
    "rank_file": "toolkit.workflows",
    "build_brief": "toolkit.workflows",
    "run_demo": "toolkit.workflows",
}

__all__ = ["ToolkitError", "__version__", *_EXPORTS]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
