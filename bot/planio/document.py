"""Import the filled-in template (Markdown) as a plan: `capacity-bot import-plan DOC.md`.

The body is read section by section into plan data; the fenced YAML appendix (what the
template has no place for) patches it; the result is validated like a YAML plan. Every
problem names its line and what was expected; anything that could not become a rule is
a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.checks import plan_errors
from bot.domain.plan import Plan
from bot.domain.rule_text import RuleContext
from bot.planio.doc_costs import read_costs
from bot.planio.doc_demands import check_rules, servable
from bot.planio.doc_infer import infer
from bot.planio.doc_layout import Layout
from bot.planio.doc_money import plan_currency, reading_currency
from bot.planio.doc_read_model import (
    read_formulas,
    read_pricing,
    read_scaling,
    read_targets,
)
from bot.planio.doc_read_ops import (
    read_breaking_points,
    read_change_log,
    read_monitoring,
    read_optimizations,
    read_scenarios,
)
from bot.planio.doc_read_scale import TierTotal, read_baseline, read_metrics, read_tiers, read_title
from bot.planio.doc_read_tiers import baseline_kept, read_tier_list, step_triggers, tier_kept
from bot.planio.doc_reader import Reader
from bot.planio.doc_settings import read_settings
from bot.planio.doc_terms import in_document_terms
from bot.planio.doc_unit import growth_metric, growth_start, growth_unit
from bot.planio.errors import PlanError, default_plan_text, describe_error, load_yaml
from bot.planio.mdblocks import number, parse_sections
from bot.planio.overlay import apply_overlay

__all__ = ["ImportResult", "as_read", "import_document", "read_body"]


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    warnings: tuple[str, ...]
    # plan location ("tiers[1]") -> the document line it was read from
    lines: dict[str, int] = field(default_factory=dict)


def _appendix(layout: Layout, reader: Reader) -> dict[str, Any]:
    """The YAML appendix's patch. A section titled "Appendix" whose YAML is not plan data
    (the team's own settings) is the team's text, kept like any other."""
    patch: dict[str, Any] = {}
    fields = set(Plan.model_fields) | {"built_tier"}
    for section in layout.sections:
        if "appendix" not in section.title.lower():
            continue
        for line, info, body in section.fences:
            if info not in ("yaml", "yml"):
                continue
            try:
                data = load_yaml(body)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                at = line + 1 + (mark.line if mark else 0)
                reader.skip(at, "YAML in the appendix", str(getattr(exc, "problem", exc)))
                continue
            if data is None:
                continue
            if not isinstance(data, dict) or not set(data) <= fields:
                continue
            layout.take(section, "monitoring")
            patch.update(data)
    return patch


def _catalog(
    declared: list[tuple[str, str, str, list[str]]], appendix: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    if isinstance(appendix.get("metrics"), list):
        return list(appendix["metrics"]), {}
    metrics = [dict(m) for m in _embedded_metrics()]
    words: dict[str, list[str]] = {}
    for name, unit, description, extra in declared:
        metrics = [m for m in metrics if m["name"] != name]
        metrics.append({"name": name, "description": description, "unit": unit})
        words[name] = extra
    return metrics, words


@cache
def _embedded_metrics() -> tuple[dict[str, Any], ...]:
    """The embedded plan's metric catalog, read straight from its YAML (the loader of whole
    plans imports this module, so this one does not import it)."""
    data = load_yaml(default_plan_text())
    return tuple(
        {k: v for k, v in m.items() if k in ("name", "description", "unit")}
        for m in data.get("metrics", [])
    )


def read_body(
    text: str, *, as_written: bool = False
) -> tuple[dict[str, Any], Reader, dict[str, Any]]:
    """The plan data the document states, the reader (problems, warnings) and the appendix.
    Amounts are read in the currency the document's totals use. `as_written` keeps the
    figures the team stated even where the plan lets the computed ones win (export-plan
    finds them on the team's lines that way)."""
    currency = plan_currency(text.splitlines())
    with reading_currency(currency):
        data, reader, appendix = _read_body(text, as_written)
    if currency != "USD":
        data["currency"] = currency
    customer = (data.get("pricing") or {}).get("customer", "")
    data.update(growth_unit(text.splitlines(), f"per {customer}" if customer else ""))
    _count_from_headings(data, text.splitlines())
    data.update(growth_metric(data))
    return data, reader, appendix


def _count_from_headings(data: dict[str, Any], lines: list[str]) -> None:
    """`**Users**: 14 restaurants` with tiers `(2,000 → 20,000 orders/month)`: the tiers
    count orders, so the baseline is the 2,000 their headings start from."""
    base, unit = data["baseline"], data.get("growth_units") or f"{data.get('growth_unit')}s"
    start = growth_start(lines)
    users = number(start) if start else None
    # A start no digit precedes: one pass over a run of digits (linear on any note).
    counted = re.search(
        r"(?<![\d,.])\d[\d,.]*+[kK]?+[ ]++(?:\w++[ ])?(\w++)", base.get("users_note", "")
    )
    if users is None or "growth_unit" not in data or (counted and unit in counted.group(0)):
        return
    if users > 0 and int(users) != base.get("users"):
        base["users"] = int(users)


def _read_body(text: str, as_written: bool) -> tuple[dict[str, Any], Reader, dict[str, Any]]:
    root = parse_sections(text)
    layout = Layout(text, root)
    reader = Reader(RuleContext.build(()))
    appendix = _appendix(layout, reader)
    listed = layout.pick_exact("tiers", r"(growth\s+)?tiers")
    scale = layout.pick("baseline", "current scale", "baseline", "actual scale")
    baseline = read_baseline(scale, reader)
    kept: list[tuple[int, dict[str, Any]]] = []
    if scale is not None:
        kept += baseline_kept(scale, layout.outline)
    shaped: tuple[list[dict[str, Any]], list[TierTotal]] = ([], [])
    if listed is not None:
        base, listed_tiers, listed_totals, extra = read_tier_list(listed, reader, layout.outline)
        kept += extra
        shaped = (listed_tiers, listed_totals)
        if scale is None:
            baseline = base
    declared = read_metrics(scale.label("Metrics") if scale else None, reader)
    metrics, words = _catalog(declared, appendix)
    resources = layout.pick("formulas", "resource")
    formulas, approx = read_formulas(resources, reader)
    money_section = layout.pick("cost_model", "cost model", "revenue")
    kept += layout.unread_children(resources, "formulas", ("compute", "connection", "storage"))
    kept += layout.unread_children(money_section, "cost_model", ("cost per", "revenue"))
    targets = read_targets(layout.pick("targets", "performance target", "targets"), reader)
    limit = formulas.get("connections", {}).get("max_connections")
    reader.rules = RuleContext.build(
        [(m["name"], m.get("unit", ""), m.get("description", "")) for m in metrics],
        limits={"db_connections": Decimal(limit)} if limit else {},
        targets={t["metric"]: t["values"][0] for t in targets if t["values"]},
        extra_words=words,
    )
    growth = layout.pick("tiers", "growth")
    tiers, totals = read_tiers(growth, reader)
    if not tiers:
        tiers, totals = shaped
    for index, (line, _stated, _percent) in enumerate(totals):
        if line:
            reader.lines[f"tiers[{index}].total"] = line  # where export-plan updates it
    kept += tier_kept(growth, tiers, reader, layout.outline)
    pricing, healthy, explicit_step = read_pricing(money_section, reader)
    data: dict[str, Any] = {**read_title(root), **read_settings(root, reader)}
    data.update({"metrics": metrics, "baseline": baseline})
    data["tiers"] = tiers
    data["formulas"] = formulas
    data["pricing"] = pricing or None
    data["targets"] = targets
    scaling = step_triggers(layout.pick("scaling", "scaling trigger"), tiers, reader)
    data.update(read_scaling(scaling, reader))
    data["scenarios"] = read_scenarios(layout.pick("ops", "disaster", "scenario"), reader)
    data["optimizations"] = read_optimizations(layout.pick("ops", "optimi"), reader)
    data["breaking_points"] = read_breaking_points(layout.pick("ops", "breaking"), reader)
    data.update(read_monitoring(layout.pick("monitoring", "monitoring", "alert"), reader))
    data["change_log"] = read_change_log(layout.pick("monitoring", "change log"), reader)
    data.update(read_costs(layout.pick("cost_model", "cost mapping"), reader))
    kept += layout.kept()
    data["sections"] = [d for _line, d in sorted(kept, key=lambda pair: pair[0])]
    if reader.here:
        data["built_tier"] = reader.here
    if not data.get("last_updated") and data["change_log"]:
        # "**Last Updated**: [DATE]" left as it was: the newest change is the best we know.
        data["last_updated"] = max(entry["date"] for entry in data["change_log"])
    _coined(data, reader)
    servable(data, reader)
    if reader.problems or "budget" not in baseline:
        return data, reader, appendix
    # "Computed wins" (in the document or its appendix): the team's figures on the total
    # lines are not the plan's, unless the caller asks for the document as written.
    setting = appendix.get("stated_figures", data.get("stated_figures"))
    stated = as_written or setting != "computed"
    infer(data, reader, totals, approx, healthy, explicit_step, stated=stated)
    return data, reader, appendix


def _coined(data: dict[str, Any], reader: Reader) -> None:
    """Metrics the document's words made join its catalog: shown by check-plan, pushable
    like any other, pullable once the appendix or a `Query` column gives a query."""
    data.setdefault("metrics", [])
    known = {m["name"] for m in data["metrics"]}
    for name, metric in reader.coined.items():
        if name not in known:
            data["metrics"].append(dict(metric))
    for metric in data["metrics"]:
        promql = reader.queries.get(metric["name"])
        if promql and not metric.get("query"):
            metric["query"] = promql


def as_read(data: dict[str, Any]) -> dict[str, Any]:
    """The body's data with every default filled in when it is a valid plan by itself, so
    the appendix patches against the same full shape on export and on import."""
    try:
        return Plan.model_validate(data).model_dump(by_alias=True)
    except (ValidationError, ValueError, TypeError):
        return data


def import_document(
    text: str, source: str = "<document>", *, as_written: bool = False
) -> ImportResult:
    """The plan a filled-in template states; PlanError with every located problem.
    `as_written`: see `read_body`."""
    data, reader, appendix = read_body(text, as_written=as_written)
    if not reader.problems and appendix:
        try:
            data = apply_overlay(
                as_read(data), {k: v for k, v in appendix.items() if k != "built_tier"}
            )
        except ValueError as exc:
            reader.problems.append(f"appendix: {exc}")
        # An appendix that lists metrics (to give a new one its query) keeps the ones the
        # document's own words made: their rules and samples still need them.
        _coined(data, reader)
    check_rules(data, reader)
    if reader.problems:
        raise PlanError(source, tuple(reader.problems))
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            problems.append(in_document_terms(describe_error(error), reader.lines))
        raise PlanError(source, tuple(problems)) from None
    errors = plan_errors(plan)
    if errors:
        raise PlanError(source, tuple(in_document_terms(e, reader.lines) for e in errors))
    return ImportResult(plan, tuple(reader.warnings), dict(reader.lines))
