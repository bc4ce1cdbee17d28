"""How long the plan document takes to read and write, against loading the YAML plan.

Measured side by side in one run: parsing the embedded YAML plan with the pure-Python
YAML loader (the baseline: what every start paid before), with parse_plan, importing the
template (Markdown), exporting the default plan as the document, and a whole reload
(file read, import, diff, store writes).

    python bench/bench_plandoc.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bot.core.config import Settings
from bot.deps import Deps
from bot.domain.plan import Plan
from bot.planio.doc_write import export_document
from bot.planio.document import import_document
from bot.planio.planfile import default_plan, default_plan_text, parse_plan
from bot.reload import reload_plan
from store import Store

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "tests" / "data" / "capacity-planning-template.md").read_text()
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    yaml_text = default_plan_text()

    def pure_python() -> None:
        # What loading cost before libyaml: the pure-Python SafeLoader, then validation.
        Plan.model_validate(yaml.safe_load(yaml_text))

    base = median_ms(pure_python, repeat)
    rows = [("load the YAML plan, pure-Python YAML (baseline)", base)]
    rows.append(
        (
            "load the YAML plan (parse_plan: libyaml, checks)",
            median_ms(lambda: parse_plan(yaml_text), repeat),
        )
    )
    rows.append(
        ("import the template (Markdown)", median_ms(lambda: import_document(TEMPLATE), repeat))
    )
    plan = default_plan()
    rows.append(
        (
            "export the default plan as the document",
            median_ms(lambda: export_document(plan), repeat),
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.md"
        path.write_text(TEMPLATE)
        deps = Deps(Settings(plan_path=path), plan, clock=lambda: NOW, _store=Store(":memory:"))
        changed = TEMPLATE.replace("| +$50/mo |", "| +$85/mo |")

        def reload() -> None:
            path.write_text(changed if deps.plan_version % 2 else TEMPLATE)
            assert reload_plan(deps, by="bench", now=NOW).applied

        rows.append(
            ("reload the document with a change (diff, outbox, log)", median_ms(reload, repeat))
        )
        deps.close()
    print(f"{'step':58} {'median ms':>10} {'x baseline':>11}")
    for name, ms in rows:
        print(f"{name:58} {ms:10.2f} {ms / base:11.2f}")


if __name__ == "__main__":
    main()
