"""Kernel-side cost of one keystroke in the entry form (live skip logic + checks + draft save).

Prints medians over repeated keystrokes; the baseline is the form's rule check alone
(validate_answers), so the difference is what the widgets and the draft write add.
Run: .venv/bin/python benchmarks/entry_keystroke.py
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from toolkit.entry import EntryForm
from toolkit.entry.codes import answers_from_typed
from toolkit.forms import load_form, validate_answers
from toolkit.store import open_store

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 200


def _median_ms(func) -> float:
    times = []
    for i in range(REPEATS):
        start = time.perf_counter()
        func(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        ui = EntryForm(form, open_store(Path(tmp) / "bench.db"), operator="基准")
        for key, value in {
            "serial": "B-1",
            "sector": "1",
            "district": "2",
            "age_band": "3",
            "concern_areas": "1 3",
            "concern": "小区门口停车难，晚上没有车位",
        }.items():
            ui.inputs[key].value = value
        typed = ui.typed()
        baseline = _median_ms(
            lambda i: validate_answers(form, answers_from_typed(form, {**typed, "years_here": str(i % 90)}))
        )
        keystroke = _median_ms(lambda i: setattr(ui.inputs["years_here"], "value", str(i % 90)))
        print(f"validate_answers alone (baseline): median {baseline:.2f} ms")
        print(f"one keystroke in EntryForm (skip logic + checks + draft write to SQLite): median {keystroke:.2f} ms")
        # another program (an import) holds the write lock: the draft is kept locally, typing must not freeze
        lock = sqlite3.connect(Path(tmp) / "bench.db", isolation_level=None, timeout=0)
        lock.execute("BEGIN EXCLUSIVE")
        start = time.perf_counter()
        ui.inputs["years_here"].value = "91"
        first = (time.perf_counter() - start) * 1000
        locked = _median_ms(lambda i: setattr(ui.inputs["years_here"], "value", str(i % 90)))
        lock.execute("ROLLBACK")
        lock.close()
        print(
            f"database locked by another writer: first keystroke {first:.0f} ms (short wait for the lock), "
            f"then median {locked:.2f} ms per keystroke (draft kept locally; store's busy timeout is 15000 ms)"
        )


if __name__ == "__main__":
    main()
