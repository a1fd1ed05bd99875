"""The request threads: never more than the limit, gone after a while without work, and a
signal while a job waits for one."""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Iterator

import pytest

from console.worker_http.threads import RequestThreads
from tests.console.worker_http.wire import wait_until

LOGGER = logging.getLogger("test.threads")


@pytest.fixture
def threads() -> Iterator[RequestThreads]:
    pool = RequestThreads(2, "test", LOGGER, idle_lifetime=0.2)
    yield pool
    pool.close()


def signalled(pool: RequestThreads) -> bool:
    readable, _, _ = select.select([pool.backlog_signal], [], [], 0)
    return bool(readable)


def test_jobs_beyond_the_limit_wait_for_a_thread(threads: RequestThreads) -> None:
    release = threading.Event()
    done: list[int] = []

    def job(number: int) -> None:
        release.wait(10)
        done.append(number)

    for number in range(5):
        threads.submit(lambda number=number: job(number))
    assert threads.count == 2
    assert not signalled(threads), "no thread stands by to be told"

    release.set()
    wait_until(lambda: len(done) == 5)
    assert sorted(done) == [0, 1, 2, 3, 4]
    assert threads.count <= 2


def test_at_the_limit_a_job_is_promised_to_a_thread_standing_by() -> None:
    pool = RequestThreads(1, "test", LOGGER)
    standing = threading.Event()
    claims: list[bool] = []
    ran: list[str] = []

    def stands_by() -> None:
        with pool.standing_by():
            standing.set()
            select.select([pool.backlog_signal], [], [], 10)
            claims.append(pool.claim_job())
            claims.append(pool.claim_job())
        ran.append("first")

    pool.submit(stands_by)
    standing.wait(5)
    pool.submit(lambda: ran.append("second"))

    wait_until(lambda: ran == ["first", "second"])
    assert claims == [True, False], "one job, promised once"
    assert not signalled(pool)
    assert pool.count == 1
    pool.close()


def test_a_thread_without_work_ends(threads: RequestThreads) -> None:
    finished = threading.Event()
    threads.submit(finished.set)
    finished.wait(5)

    wait_until(lambda: threads.count == 0)


def test_a_free_thread_takes_the_next_job_instead_of_a_new_one_starting(
    threads: RequestThreads,
) -> None:
    names: list[str] = []

    def note_thread() -> None:
        names.append(threading.current_thread().name)

    for done in range(1, 4):
        threads.submit(note_thread)
        wait_until(lambda done=done: len(names) == done)

    assert len(set(names)) == 1 and threads.count == 1


def test_a_job_that_raises_is_logged_and_its_thread_works_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    pool = RequestThreads(1, "test", LOGGER)
    finished = threading.Event()
    with caplog.at_level(logging.ERROR, LOGGER.name):
        pool.submit(broken)
        pool.submit(finished.set)
        assert finished.wait(5), "the same thread ran the next job"

    assert [r.getMessage() for r in caplog.records] == ["a request thread failed"]
    pool.close()
