"""`compute RPS`'s second half: the queue model at the plan's container counts, and the
containers that hold the built tier's p95 target."""

from __future__ import annotations

from decimal import Decimal

from bot.commands.queue_model import queue_model
from bot.context import Context
from bot.domain.money import fmt_number
from bot.domain.queue import containers_needed, evaluate
from bot.domain.sizing import ComputeEstimate
from bot.domain.values import fmt_value
from bot.reality.queue_model import QueueModel, fmt_ms
from bot.reply import Part, Table, Text

__all__ = ["model_parts"]


def _containers(count: int, size: int) -> str:
    return f"{fmt_number(count)} container{'s' if count != 1 else ''} of {size} vCPU"


def _verdict(model: QueueModel, rate: float, needed: list[tuple[int, int | None]]) -> str:
    target = model.target
    if target is None:
        return "The plan sets no API p95 target, so no container count is proposed."
    where = f"Tier {target.tier}'s target" if target.tier else "the baseline's target"
    holding = [(size, n) for size, n in needed if n is not None]
    if not holding:
        alone = fmt_ms(model.service.quantile(0.95))
        if model.fit is None:
            return (
                f"No container count holds p95 under {fmt_ms(target.seconds)} ({where}) with "
                f"the assumed spread: the service alone would take {alone} at p95. Measure "
                "it (api_mean_ms, api_p95_ms) or set `service_scv` in the plan."
            )
        return (
            f"No container count holds p95 under {fmt_ms(target.seconds)} ({where}): the "
            f"service alone takes {alone} at p95, so make requests faster, not more servers."
        )
    options = " or ".join(_containers(n, size) for size, n in holding)
    return f"To hold p95 under {fmt_ms(target.seconds)} ({where}): {options}."


def model_parts(
    ctx: Context, rps: Decimal, estimate: ComputeEstimate
) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """The model's table and verdict, and the notes every model answer carries."""
    model = queue_model(ctx)
    rate = float(rps)
    target = model.target
    rows = []
    needed: list[tuple[int, int | None]] = []
    for size, count in estimate.containers:
        workers = model.workers(ctx.plan, size)
        point = evaluate(rate, count * workers, model.service)
        holds = (
            containers_needed(rate, model.service, target.seconds, workers)
            if target is not None
            else None
        )
        needed.append((size, holds))
        rows.append(
            (
                f"{size} vCPU",
                fmt_number(workers),
                fmt_number(count),
                fmt_value(round(point.utilisation * 100), "%") if point.stable else "over 100%",
                fmt_ms(point.p95),
                "none" if target is None or holds is None else fmt_number(holds),
            )
        )
    column = f"Containers for p95 {target.text}" if target is not None else "Containers for p95"
    table = Table(
        columns=("Container", "Workers", "Plan's count", "Utilisation", "p95 there", column),
        rows=tuple(rows),
        title=f"Queue model at {fmt_number(rps)} req/sec",
        numeric=(False, True, True, True, True, True),
    )
    notes = [
        model.source_line(),
        model.error_line(),
        "Requests arrive at random at the rate given (the peak hour's); servers = "
        "containers × workers per container.",
    ]
    caveat = model.caveat(rate)
    if caveat:
        notes.insert(0, caveat)
    return (Text(_verdict(model, rate, needed)), table), tuple(notes)
