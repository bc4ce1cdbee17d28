from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store import Store
from store.digests import DigestStore

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)


def test_claim_is_granted_once() -> None:
    store = Store()
    assert store.digests.claim("2026-W49", NOW) is True
    assert store.digests.claim("2026-W49", NOW) is False
    assert store.digests.claim("2026-W50", NOW) is True


def test_posted_digest_is_not_claimed_again_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = Store(path)
    assert first.digests.claim("2026-W49", NOW)
    first.digests.mark_posted("2026-W49", "C1", "111.222", NOW)
    first.close()
    second = Store(path)  # a restart: new store, same file, migrations again (no-op)
    assert second.digests.claim("2026-W49", NOW + timedelta(days=1)) is False
    assert second.digests.last_posted() == "2026-W49"
    record = second.digests.get("2026-W49")
    assert record is not None and (record.channel, record.ts) == ("C1", "111.222")
    second.close()


def test_an_unposted_claim_blocks_until_its_lease_runs_out() -> None:
    digests = Store().digests
    assert digests.claim("2026-W49", NOW)
    assert not digests.claim("2026-W49", NOW + timedelta(minutes=10))
    assert digests.claim("2026-W49", NOW + timedelta(minutes=16))  # the holder died


def test_released_claim_can_be_retried_and_posted_never_expires() -> None:
    digests = Store().digests
    assert digests.claim("2026-W49", NOW)
    digests.release("2026-W49")
    assert digests.claim("2026-W49", NOW)
    digests.mark_posted("2026-W49", "C1", "1.2", NOW)
    digests.release("2026-W49")  # a posted digest is never released
    assert not digests.claim("2026-W49", NOW + timedelta(days=30))


def test_last_posted_is_none_before_the_first() -> None:
    digests = Store().digests
    assert digests.last_posted() is None
    digests.claim("2026-W49", NOW)
    assert digests.last_posted() is None


def test_two_schedulers_in_threads_on_one_file_one_wins(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store(path).close()
    stores = [Store(path) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    results: list[bool] = []
    lock = threading.Lock()

    def run(store: Store) -> None:
        barrier.wait()
        won = store.digests.claim("2026-W49", NOW)
        with lock:
            results.append(won)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def _claim_in_process(path: str, start: object, out: object) -> None:
    store = Store(path)
    start.wait()  # type: ignore[attr-defined]
    out.put(store.digests.claim("2026-W49", NOW))  # type: ignore[attr-defined]
    store.close()


def test_two_processes_on_one_file_one_wins(tmp_path: Path) -> None:
    path = str(tmp_path / "bot.db")
    Store(path).close()  # migrated once, as by the first start
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_in_process, args=(path, start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    results = sorted(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert results == [False, False, False, True]


def test_store_works_over_a_bare_database() -> None:
    store = Store()
    assert isinstance(store.digests, DigestStore)
    assert store.db["digests"].pks == ["period"]


def test_a_claim_whose_holder_died_is_taken_again_before_its_lease() -> None:
    """A holder named by host:pid:start: gone (a SIGKILL) lets the next process take the
    slot at once; alive (this process) or posted, never."""
    from bot.core.owner import gone, this_process

    host = this_process().split(":")[0]
    dead = f"{host}:999999999:1"  # no such pid
    digests = Store().digests
    assert digests.claim("2026-W49", NOW, owner=dead, gone=gone)
    assert digests.claim("2026-W49", NOW + timedelta(minutes=1), owner=this_process(), gone=gone)
    assert not digests.claim(
        "2026-W49", NOW + timedelta(minutes=2), owner=this_process(), gone=gone
    )  # its holder, this process, is alive
    digests.mark_posted("2026-W49", "C1", "1.0", NOW + timedelta(minutes=3))
    assert not digests.claim("2026-W49", NOW + timedelta(days=1), owner=dead, gone=lambda _: True)
