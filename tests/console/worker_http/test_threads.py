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


def test_jobs_beyond_the_limit_wait_and_the_backlog_is_signalled(threads: RequestThreads) -> None:
    release = threading.Event()
    done: list[int] = []

    def job(number: int) -> None:
        release.wait(10)
        done.append(number)

    for number in range(5):
        threads.submit(lambda number=number: job(number))
    assert threads.count == 2
    assert signalled(threads)

    release.set()
    wait_until(lambda: len(done) == 5)
    assert sorted(done) == [0, 1, 2, 3, 4]
    assert not signalled(threads), "no job waits any more"
    assert threads.count <= 2


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
