"""Plan-only answers are rendered once; anything live is answered afresh every time."""

from __future__ import annotations

from bot.commands import Command, Context, build_router
from bot.commands.router import PLAN_ONLY
from bot.reply import Reply
from bot.slack.answers import Answers
from tests.support.metrics_helpers import Clock, make_deps


def _counting_answers() -> tuple[Answers, list[str]]:
    router = build_router()
    seen: list[str] = []
    dispatch = router.dispatch

    def counted(request, ctx):  # type: ignore[no-untyped-def]
        seen.append(request if isinstance(request, str) else request.text)
        return dispatch(request, ctx)

    router.dispatch = counted  # type: ignore[method-assign]
    return Answers(router, size=2), seen


def test_plan_only_answer_is_rendered_once_and_the_same() -> None:
    answers, seen = _counting_answers()
    ctx = make_deps(Clock()).context("U1")
    first = answers.answer("tier 2", ctx)
    second = answers.answer("tier 2", ctx)
    assert seen == ["tier 2"]
    assert first[1] == second[1] and "+337%" in first[1]["text"]


def test_live_and_wrong_answers_are_never_kept() -> None:
    answers, seen = _counting_answers()
    deps = make_deps(Clock())
    ctx = deps.context("U1")
    for text in ("status", "status", "triggers", "triggers", "tier 9", "tier 9", "changes"):
        answers.answer(text, ctx)
    assert seen == ["status", "status", "triggers", "triggers", "tier 9", "tier 9", "changes"]
    # a metric recorded between two `status` calls shows up in the second
    deps.store.metrics.add_rows([("mau", Clock()().timestamp(), 8412)])
    assert "8,412" in answers.answer("status", ctx)[1]["text"]


def test_the_kept_answers_are_bounded() -> None:
    answers, seen = _counting_answers()
    ctx = make_deps(Clock()).context("U1")
    for text in ("tier 1", "tier 2", "tier 3", "tier 1"):
        answers.answer(text, ctx)
    assert seen == ["tier 1", "tier 2", "tier 3", "tier 1"]


def test_share_is_offered_only_where_running_again_is_harmless() -> None:
    deps = make_deps(Clock())
    ctx = deps.context("U1")
    answers = Answers(build_router())

    def has_share(text: str) -> bool:
        return "capacity_share" in str(answers.answer(text, ctx)[1]["blocks"])

    assert has_share("tier 2") and has_share("status") and has_share("changes search x") is False
    recorded = answers.answer("metric mau 850", ctx)
    assert "capacity_share" not in str(recorded[1]["blocks"])
    assert not has_share("silence tier2.mau 2h")
    assert deps.store.metrics.count() == 1


def _store_reader(args: list[str], ctx: Context) -> Reply:
    count = ctx.store.metrics.count() if ctx.store is not None else "no store"
    return Reply(title=f"samples: {count}")


def test_the_cache_follows_what_a_command_declares_it_reads() -> None:
    router = build_router()
    # Declared as reading the store: answered afresh each time.
    router.register(Command("count", "count", "count", "Samples stored", _store_reader))
    # Declared plan-only although it reaches for the store: it is given none, so the
    # kept answer cannot go stale.
    router.register(
        Command("wrong", "wrong", "wrong", "Misdeclared", _store_reader, reads=PLAN_ONLY)
    )
    deps = make_deps(Clock())
    answers = Answers(router)
    ctx = deps.context("U1")
    assert answers.answer("count", ctx)[0].title == "samples: 0"
    assert answers.answer("wrong", ctx)[0].title == "samples: no store"
    deps.store.metrics.add_rows([("mau", Clock()().timestamp(), 5)])
    assert answers.answer("count", ctx)[0].title == "samples: 1"
    assert answers.answer("wrong", ctx)[0].title == "samples: no store"


def test_the_kept_answers_are_bounded_by_characters_and_served_the_same() -> None:
    answers, seen = _counting_answers()
    answers.size = 100
    ctx = make_deps(Clock()).context("U1")
    first = answers.answer("tier 1", ctx)
    kept, chars = answers.kept
    assert kept == 1 and chars > 1000  # the ack's JSON body, kept as one string
    answers.max_chars = int(chars * 2.5)  # room for two answers like it, not three
    for text in ("tier 2", "tier 3", "tier 1"):
        answers.answer(text, ctx)
        assert answers.kept[1] <= answers.max_chars
    assert seen == ["tier 1", "tier 2", "tier 3", "tier 1"]
    again = answers.answer("tier 1", ctx)  # from the kept body: the same message
    assert seen[-1] == "tier 1" and len(seen) == 4
    assert again[1] == first[1] and again[0].title == first[0].title
