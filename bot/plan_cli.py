"""The plan-document commands of the terminal: import-plan, export-plan, plan-diff, plan-schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import yaml

from bot.core.config import Settings
from bot.domain.plan import Plan
from bot.planio.overlay import plain
from bot.planio.planfile import PlanError, load_plan, read_plan_text

__all__ = ["export_plan", "import_plan", "plan_diff_files", "plan_schema", "plan_yaml"]


def plan_yaml(plan: Plan) -> str:
    """The plan as YAML that `check-plan` and CAPACITY_PLAN read back to the same plan."""
    data = plain(plan.model_dump(by_alias=True, exclude_defaults=True))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def import_plan(
    path: str, output: str | None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """0 with the YAML written (or printed); 1 with every problem by line, nothing written."""
    out, err = out or sys.stdout, err or sys.stderr
    from bot.planio.document import import_document

    source = Path(path)
    try:
        text = read_plan_text(source)
    except PlanError as exc:
        err.write(f"{source}: cannot read: {'; '.join(exc.problems)}\n")
        return 1
    try:
        result = import_document(text, str(source))
    except PlanError as exc:
        err.write(f"{source}: {len(exc.problems)} error(s); nothing written\n")
        for problem in exc.problems:
            err.write(f"  error: {problem}\n")
        return 1
    for warning in result.warnings:
        err.write(f"  warning: {warning}\n")
    body = plan_yaml(result.plan)
    if output is None:
        out.write(body)
    else:
        Path(output).write_text(body, encoding="utf-8")
        named = f"{result.plan.product}, " if result.plan.product else ""
        err.write(f"{output}: {named}{result.plan.tier_range}\n")
    return 0


def export_plan(settings: Settings, output: str | None, out: TextIO | None = None) -> int:
    """The live plan as the template's document, with the store's figures when it exists."""
    out = out or sys.stdout
    from bot.deps import utc_now
    from bot.planio.doc_write import Live

    plan = load_plan(settings.plan_path)
    now = utc_now()
    live = Live(today=now.astimezone(settings.zone).date().isoformat())
    if Path(settings.db_path).exists():
        from bot.deps import open_store
        from bot.planio.live import live_figures

        store = open_store(settings.db_path)
        try:
            live = live_figures(plan, store, now, settings.zone)
        finally:
            store.close()
    from bot.planio.doc_verbatim import document_source, export_plan_document

    text = export_plan_document(plan, live, document_source(settings.plan_path))
    if output is None:
        out.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return 0


def plan_diff_files(old: str, new: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from bot.monitor.plan_diff import plan_diff

    lines = plan_diff(load_plan(old), load_plan(new))
    out.write("\n".join(lines) + "\n" if lines else "no changes\n")
    return 0


def plan_schema(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    schema = Plan.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out.write(json.dumps(schema, indent=2) + "\n")
    return 0
