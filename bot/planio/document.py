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
from bot.planio.doc_reader import Reader
from bot.planio.errors import PlanError, default_plan_text, describe_error, load_yaml
from bot.planio.mdblocks import Section, parse_sections
from bot.planio.overlay import apply_overlay

__all__ = ["ImportResult", "as_read", "import_document", "read_body"]

_STEPS = (1, 5, 10, 25, 50, 100, 500, 1000)


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    warnings: tuple[str, ...]


def _sections(root: Section) -> list[Section]:
    top = [c for c in root.children if c.level == 1]
    found = [c for t in top for c in t.children] + [c for c in root.children if c.level == 2]
    return found


def _pick(sections: list[Section], *words: str) -> Section | None:
    return next((s for s in sections if any(w in s.title.lower() for w in words)), None)


def _appendix(sections: list[Section], reader: Reader) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for section in sections:
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
                reader.error(at, "YAML in the appendix", str(getattr(exc, "problem", exc)))
                continue
            if data is None:
                continue
            if not isinstance(data, dict):
                reader.error(line, "a YAML mapping of plan sections in the appendix")
                continue
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
    """The rounding mode the document's own percentages use (137.5% written +137%)."""
    previous = budget
    modes = ["half_up", "half_down", "half_even"]
    for tier, (_line, stated, percent) in zip(tiers, totals, strict=False):
        total = previous + sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        # A line whose total disagrees was written for other figures: its percentage too.
        if percent is not None and previous and stated in (None, total):
            exact = (total - previous) * 100 / previous
            modes = [m for m in modes if round_to(exact, 0, m) == percent]
        previous = total
    return modes[0] if modes else "half_up"


def _totals(budget: Decimal, tiers: list[dict[str, Any]]) -> list[Decimal]:
    out, total = [], budget
    for tier in tiers:
        total += sum((c["cost_change"] for c in tier.get("changes", [])), Decimal(0))
        out.append(total)
    return out


def _step(values: list[Decimal], stated: list[int]) -> int | None:
    """The smallest rounding step that turns every exact figure into the stated one."""
    if not stated or len(values) < len(stated):
        return None
    for step in _STEPS:
        if all(ceil_to_step(v, step) == s for v, s in zip(values, stated, strict=False)):
            return step
    return None


def read_body(text: str) -> tuple[dict[str, Any], Reader, dict[str, Any]]:
    """The plan data the document states, the reader (problems, warnings) and the appendix."""
    root = parse_sections(text)
    sections = _sections(root)
    reader = Reader(RuleContext.build(()))
    appendix = _appendix(sections, reader)
    scale = _pick(sections, "current scale", "baseline")
    baseline = read_baseline(scale, reader)
    declared = read_metrics(scale.label("Metrics") if scale else None, reader)
    metrics, words = _catalog(declared, appendix)
    formulas, approx = read_formulas(_pick(sections, "resource"), reader)
    targets = read_targets(_pick(sections, "performance target", "targets"), reader)
    limit = formulas.get("connections", {}).get("max_connections")
    reader.rules = RuleContext.build(
        [(m["name"], m.get("unit", ""), m.get("description", "")) for m in metrics],
        limits={"db_connections": Decimal(limit)} if limit else {},
        targets={t["metric"]: t["values"][0] for t in targets if t["values"]},
        extra_words=words,
    )
    tiers, totals = read_tiers(_pick(sections, "growth"), reader)
    pricing, healthy, explicit_step = read_pricing(_pick(sections, "cost model", "revenue"), reader)
    data: dict[str, Any] = {**read_title(root), "metrics": metrics, "baseline": baseline}
    data["tiers"] = tiers
    data["formulas"] = formulas
    data["pricing"] = pricing
    data["targets"] = targets
    data.update(read_scaling(_pick(sections, "scaling trigger"), reader))
    data["scenarios"] = read_scenarios(_pick(sections, "disaster", "scenario"), reader)
    data["optimizations"] = read_optimizations(_pick(sections, "optimi"), reader)
    data["breaking_points"] = read_breaking_points(_pick(sections, "breaking"), reader)
    data.update(read_monitoring(_pick(sections, "monitoring", "alert"), reader))
    data["change_log"] = read_change_log(_pick(sections, "change log"), reader)
    costs = read_costs(_pick(sections, "cost mapping"), reader)
    if costs is not None:
        data["costs"] = costs
    if not data.get("last_updated") and data["change_log"]:
        # "**Last Updated**: [DATE]" left as it was: the newest change is the best we know.
        data["last_updated"] = max(entry["date"] for entry in data["change_log"])
    if reader.problems or "budget" not in baseline:
        return data, reader, appendix
    _infer(data, reader, totals, approx, healthy, explicit_step)
    return data, reader, appendix


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
    computed = _totals(budget, data["tiers"])
    for index, (_line, stated, _pct) in enumerate(totals):
        if stated is not None and index < len(computed) and stated != computed[index]:
            data["tiers"][index]["stated_total"] = stated
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
            line = reader.lines.get("pricing", 0)
            reader.warn(line, "the healthy-margin counts fit no rounding step; using 1")
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
    _check_rules(data, reader)
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


def _check_rules(data: dict[str, Any], reader: Reader) -> None:
    for where, line, text in reader.missing_rules:
        node: Any = data
        for part in re.findall(r"\w+|\[\d+\]", where):
            if part.startswith("["):
                index = int(part[1:-1])
                node = node[index] if isinstance(node, list) and index < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if node is None:
            reader.error(
                line,
                "a metric and a number capacity-bot can watch (e.g. `CPU > 70% for 1 hour`), "
                "or the rule in the appendix",
                text,
            )
