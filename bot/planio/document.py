"""Import the filled-in template (Markdown) as a plan: `capacity-bot import-plan DOC.md`.

The body is read section by section into plan data; the fenced YAML appendix (what the
template has no place for) patches it; the result is validated like a YAML plan. Every
problem names its line and what was expected; anything that could not become a rule is
a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.checks import plan_errors
from bot.domain.money import ceil_to_step, round_to
from bot.domain.plan import Plan
from bot.domain.rule_text import RuleContext
from bot.planio.doc_costs import read_costs
from bot.planio.doc_demands import check_rules, servable
from bot.planio.doc_layout import Layout
from bot.planio.doc_money import plan_currency, reading_currency
from bot.planio.doc_read_model import (
    Approx,
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
from bot.planio.doc_stated import keep_stated
from bot.planio.doc_unit import growth_start, growth_unit
from bot.planio.errors import PlanError, default_plan_text, describe_error, load_yaml
from bot.planio.mdblocks import number, parse_sections
from bot.planio.overlay import apply_overlay

__all__ = ["ImportResult", "as_read", "import_document", "read_body"]

_STEPS = (1, 5, 10, 25, 50, 100, 500, 1000)


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    warnings: tuple[str, ...]


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


def _rounding(budget: Decimal, tiers: list[dict[str, Any]], totals: list[TierTotal]) -> str:
    """The rounding mode the document's own percentages use (137.5% written +137%). A stated
    total is the one answers show, so its percentage is reckoned from it; a percentage no
    mode gives (a slip of the pen) tells nothing and is passed over."""
    previous = budget
    modes = ["half_up", "half_down", "half_even"]
    for tier, (_line, stated, percent) in zip(tiers, totals, strict=False):
        summed = previous + sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        total = summed if stated is None else stated
        if percent is not None and previous:
            exact = (total - previous) * 100 / previous
            fitting = [m for m in modes if round_to(exact, 0, m) == percent]
            modes = fitting or modes
        previous = total
    return modes[0] if modes else "half_up"


def _totals(
    budget: Decimal, tiers: list[dict[str, Any]], totals: list[TierTotal]
) -> tuple[list[Decimal], list[Decimal]]:
    """Each tier's total as its changes make it, and as the plan keeps it: a stated total
    wins, and the next tier starts from it."""
    sums, kept, total = [], [], budget
    stated_totals = [stated for _line, stated, _pct in totals]
    for index, tier in enumerate(tiers):
        total += sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        sums.append(total)
        stated = stated_totals[index] if index < len(stated_totals) else None
        total = total if stated is None else stated
        kept.append(total)
    return sums, kept


def _step(values: list[Decimal], stated: list[int]) -> int | None:
    """The smallest rounding step that turns every exact figure into the stated one."""
    if not stated or len(values) < len(stated):
        return None
    for step in _STEPS:
        if all(ceil_to_step(v, step) == s for v, s in zip(values, stated, strict=False)):
            return step
    return None


def read_body(text: str) -> tuple[dict[str, Any], Reader, dict[str, Any]]:
    """The plan data the document states, the reader (problems, warnings) and the appendix.
    Amounts are read in the currency the document's totals use."""
    currency = plan_currency(text.splitlines())
    with reading_currency(currency):
        data, reader, appendix = _read_body(text)
    if currency != "USD":
        data["currency"] = currency
    customer = (data.get("pricing") or {}).get("customer", "")
    data.update(growth_unit(text.splitlines(), f"per {customer}" if customer else ""))
    _count_from_headings(data, text.splitlines())
    return data, reader, appendix


def _count_from_headings(data: dict[str, Any], lines: list[str]) -> None:
    """`**Users**: 14 restaurants` with tiers `(2,000 → 20,000 orders/month)`: the tiers
    count orders, so the baseline is the 2,000 their headings start from."""
    base, unit = data["baseline"], data.get("growth_units") or f"{data.get('growth_unit')}s"
    start = growth_start(lines)
    users = number(start) if start else None
    counted = re.search(r"\d[\d,.]*+[kK]?+[ ]++(?:\w++[ ])?(\w++)", base.get("users_note", ""))
    if users is None or "growth_unit" not in data or (counted and unit in counted.group(0)):
        return
    if users > 0 and int(users) != base.get("users"):
        base["users"] = int(users)


def _read_body(text: str) -> tuple[dict[str, Any], Reader, dict[str, Any]]:
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
    kept += tier_kept(growth, tiers, reader, layout.outline)
    pricing, healthy, explicit_step = read_pricing(money_section, reader)
    data: dict[str, Any] = {**read_title(root), "metrics": metrics, "baseline": baseline}
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
    _infer(data, reader, totals, approx, healthy, explicit_step)
    return data, reader, appendix


def _coined(data: dict[str, Any], reader: Reader) -> None:
    """Metrics the document's words made join its catalog: shown by check-plan, pushable
    like any other, pullable once the appendix or a `Query` column gives a query."""
    known = {m["name"] for m in data["metrics"]}
    for name, metric in reader.coined.items():
        if name not in known:
            data["metrics"].append(dict(metric))
    for metric in data["metrics"]:
        promql = reader.queries.get(metric["name"])
        if promql and not metric.get("query"):
            metric["query"] = promql


def _infer(
    data: dict[str, Any],
    reader: Reader,
    totals: list[TierTotal],
    approx: Approx,
    healthy: list[int],
    explicit_step: int | None,
) -> None:
    """What the document shows only through its own figures: rounding modes and steps."""
    budget = data["baseline"]["budget"]
    data["percent_rounding"] = _rounding(budget, data["tiers"], totals)
    sums, computed = _totals(budget, data["tiers"], totals)
    for index, (_line, stated, _pct) in enumerate(totals):
        if stated is not None and index < len(sums) and stated != sums[index]:
            data["tiers"][index]["stated_total"] = stated
    keep_stated(data, reader.stated)
    pricing = data["pricing"]
    if pricing and explicit_step is not None:
        pricing["healthy_step"] = explicit_step
    elif pricing and healthy and pricing["price"] > 0:
        multiple = pricing.get("healthy_multiple", Decimal(5))
        exact = [t * multiple / pricing["price"] for t in computed]
        step = _step(exact, healthy)
        if step is not None:
            pricing["healthy_step"] = step
        else:
            # Counts that follow no multiple of the cost are the team's own targets: they
            # are what break-even shows.
            pricing["healthy_counts"] = healthy
    _relative_costs(data, [budget, *computed])
    compute = data["formulas"].get("compute", {})
    if approx is not None and compute and compute["efficiency"] > 0:
        rps, stated_vcpus = approx
        exact = rps * compute["avg_response_seconds"] / compute["efficiency"]
        step = _step([exact], [int(stated_vcpus)])
        if step is not None:
            compute["approx_step"] = step


_TIER = re.compile(r"\(\s*tier\s*(\d+)\s*\)", re.IGNORECASE)


def _relative_costs(data: dict[str, Any], budgets: list[Decimal]) -> None:
    """ "Cost > $60/mo (Tier 0)": a cost threshold stated for one tier scales with the
    built tier, so it becomes a share of the budget (150% of Tier 0's $40)."""
    cost = data.get("cost_metric", "cost_usd")
    worded = [*data.get("thresholds", []), *data.get("scaling_triggers", [])]
    worded += [t for tier in data["tiers"] for t in tier.get("triggers", [])]
    for item in worded:
        rule, named = item.get("rule"), _TIER.search(str(item.get("text", "")))
        if not rule or rule["metric"] != cost or rule.get("of_budget") or named is None:
            continue
        number = int(named.group(1))
        if number >= len(budgets) or budgets[number] <= 0:
            continue
        share = Decimal(str(rule["value"])) * 100 / budgets[number]
        if share == share.quantize(Decimal("0.01")):
            rule["value"], rule["of_budget"] = float(share), True


def as_read(data: dict[str, Any]) -> dict[str, Any]:
    """The body's data with every default filled in when it is a valid plan by itself, so
    the appendix patches against the same full shape on export and on import."""
    try:
        return Plan.model_validate(data).model_dump(by_alias=True)
    except (ValidationError, ValueError, TypeError):
        return data


def _line_for(reader: Reader, location: str) -> int:
    """The line of the longest known location that `location` lies inside."""
    inside = [k for k in reader.lines if location == k or location.startswith((f"{k}.", f"{k}["))]
    return reader.lines[max(inside, key=len)] if inside else 0


def import_document(text: str, source: str = "<document>") -> ImportResult:
    """The plan a filled-in template states; PlanError with every located problem."""
    data, reader, appendix = read_body(text)
    if not reader.problems and appendix:
        try:
            data = apply_overlay(
                as_read(data), {k: v for k, v in appendix.items() if k != "built_tier"}
            )
        except ValueError as exc:
            reader.problems.append(f"appendix: {exc}")
    check_rules(data, reader)
    if reader.problems:
        raise PlanError(source, tuple(reader.problems))
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = describe_error(error)
            location = message.split(":", 1)[0]
            line = _line_for(reader, location)
            problems.append(f"line {line}: {message}" if line else message)
        raise PlanError(source, tuple(problems)) from None
    errors = plan_errors(plan)
    if errors:
        raise PlanError(source, tuple(errors))
    return ImportResult(plan, tuple(reader.warnings))
