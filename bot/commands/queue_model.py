"""The queue model for a command's context: measured when the store holds enough, else the
plan's average response with the spread assumed (the model itself: bot/reality/queue_model.py)."""

from __future__ import annotations

from bot.commands.tiers import answering_store, live_plan
from bot.context import Context
from bot.reality.queue_model import QueueModel, model_from_hours, read_hours

__all__ = ["queue_model"]


def queue_model(ctx: Context) -> QueueModel:
    """The model for this context: measured when the store holds enough, else the plan's."""
    store = answering_store(ctx)
    plan = live_plan(ctx)
    hours = read_hours(store, plan, ctx.now) if store is not None else None
    return model_from_hours(plan, hours, ctx.now)
