"""Public names of a package that load on first use.

Importing a stage's ``commands`` module imports its package first; with eager ``__init__``
imports ``weidiaoyan --help`` paid for scikit-learn and SQLAlchemy (4 s) before printing a line.
"""

from __future__ import annotations

import importlib
import sys
import warnings


def lazy_exports(package: str, exports: dict[str, str], moved: dict[str, str] | None = None):
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps a public name to the module defining it
    (a name mapped to ``<package>.<name>`` is that submodule itself).

    ``moved``: old public names that now live elsewhere (a run moved up into ``toolkit.workflows``), name -> new
    module; they resolve with a FutureWarning so notebooks keep running while they are updated. The package's
    own code never uses them (tests/test_import_graph.py checks they would close no import cycle).
    """
    moved = moved or {}

    def __getattr__(name: str):
        module = exports.get(name) or moved.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if name in moved:
            warnings.warn(
                f"{package}.{name} 已移到 {module}.{name}，旧名称将在以后的版本中删除。", FutureWarning, stacklevel=2
            )
        loaded = importlib.import_module(module)
        value = loaded if module == f"{package}.{name}" else getattr(loaded, name)
        if name not in moved:  # a moved name warns on every use
            setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
