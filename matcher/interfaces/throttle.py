"""What keeps the HTTP service steady under load: ranking processes, a bounded queue, an
answer cache, an access log.

Ranking is CPU-bound, so the service runs at most ``max_running`` rankings at once (one
per ranking process, see :class:`RankingPool`), lets ``max_waiting`` more wait for at
most ``timeout`` seconds, and turns everything beyond that away at once with 503 and
``Retry-After``: a client told to come back in a second is better served than one whose
request sits behind a growing queue.
"""

import asyncio
import json
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

__all__ = ["AnswerCache", "RankingLimiter", "RankingPool", "Overloaded", "AccessLog", "ACCESS_LOGGER"]

ACCESS_LOGGER = "sistermatch.access"


class AnswerCache:
    """Least-recently-used cache of JSON answers, bounded in entries and in bytes.

    Keys are the full, parsed parameters of a request (see ``service._key``), so two
    requests share an answer only when every parameter that shapes it is equal.

    Parameters
    ----------
    max_entries : int
        0 turns the cache off.
    max_bytes : int
        Total size of the cached bodies; the oldest are dropped past it.
    """

    def __init__(self, max_entries=2048, max_bytes=64 << 20):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        """The cached body for ``key``, or None (counted as a miss)."""
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key, body):
        if self.max_entries <= 0 or len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = body
            self._bytes += len(body)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def stats(self):
        with self._lock:
            return {
                "entries": len(self._items),
                "bytes": self._bytes,
                "max_entries": self.max_entries,
                "hits": self.hits,
                "misses": self.misses,
            }


class Overloaded(Exception):
    """The worker has no room for another ranking request (HTTP 503 with ``Retry-After``)."""

    def __init__(self, message, retry_after, reason="overloaded"):
        super().__init__(message)
        self.retry_after = retry_after
        self.reason = reason


class RankingLimiter:
    """Run ranking work a bounded number at a time, with a bounded wait.

    Parameters
    ----------
    call : coroutine function
        ``await call(fn, *args)`` computes ``fn``'s answer (in a threadpool or a
        :class:`RankingPool`).
    max_running : int
        Rankings computed at once: one per ranking process keeps each core busy
        without threads fighting over one interpreter lock.
    max_waiting : int
        Requests allowed to wait for a turn; one more is answered 503 at once.
    timeout : float
        Seconds a request may wait for its turn before it is answered 503.
    """

    def __init__(self, call, max_running=1, max_waiting=16, timeout=10.0):
        if max_running < 1 or max_waiting < 0 or not timeout > 0:
            raise ValueError(
                f"need max_running >= 1, max_waiting >= 0, timeout > 0; got {max_running}, {max_waiting}, {timeout}"
            )
        self.call = call
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.timeout = timeout
        self.running = 0
        self.waiting = 0
        self.rejected = 0
        self.timed_out = 0
        self._loop = None
        self._slots = None
        self._service_s = 0.05  # running mean of one ranking's time, for Retry-After

    def _semaphore(self):
        # A semaphore belongs to one event loop; a test client may run each request in a
        # new loop, and a forked worker starts its own.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._slots = loop, asyncio.Semaphore(self.max_running)
        return self._slots

    def retry_after(self):
        """Whole seconds after which the queue ahead of a new request should have drained."""
        backlog = (self.running + self.waiting) * self._service_s / self.max_running
        return max(1, min(60, math.ceil(backlog)))

    async def run(self, fn, *args):
        """``await call(fn, *args)`` once a slot is free.

        Raises
        ------
        Overloaded
            Every slot and every waiting place is taken, or no slot freed up within ``timeout``.
        """
        if self.running + self.waiting >= self.max_running + self.max_waiting:
            self.rejected += 1
            raise Overloaded(
                f"busy: {self.running + self.waiting} ranking requests in progress here; retry shortly",
                self.retry_after(),
            )
        slots = self._semaphore()
        self.waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), self.timeout)
        except asyncio.TimeoutError:
            self.timed_out += 1
            raise Overloaded(
                f"busy: no ranking slot freed up within {self.timeout:g} s; retry shortly",
                self.retry_after(),
                reason="queue_timeout",
            ) from None
        finally:
            self.waiting -= 1
        self.running += 1
        started = time.perf_counter()
        try:
            return await self.call(fn, *args)
        finally:
            self.running -= 1
            slots.release()
            self._service_s = 0.9 * self._service_s + 0.1 * (time.perf_counter() - started)

    def stats(self):
        return {
            "max_running": self.max_running,
            "max_waiting": self.max_waiting,
            "timeout_s": self.timeout,
            "running": self.running,
            "waiting": self.waiting,
            "rejected": self.rejected,
            "timed_out": self.timed_out,
        }


_POOL_MATCHER = None


def _rank_in_process(fn, *args):
    return os.getpid(), fn(_POOL_MATCHER, *args)


def _init_process(parent):
    # Ctrl-C reaches the whole process group; the server shuts the pool down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A server stopped by a signal may exit before it shuts its pool down; a ranking
    # process left behind would hold its memory for nothing.
    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class RankingPool:
    """Processes forked with a fitted matcher loaded, each ranking one request at a time.

    Forked, a process reads the parent's memory pages of the model and the city tables
    until it writes to them (copy-on-write), so N processes cost little more memory than
    one. Only a request's parameters go to a process, and only its JSON answer comes back.

    Parameters
    ----------
    matcher : Matcher
        Fitted.
    processes : int

    Notes
    -----
    Create the pool before the server starts: a fork copies only the calling thread, so
    forking from a process whose other threads hold locks can leave the child stuck. A
    process that dies (say, killed for memory) breaks the pool; the request that finds it
    broken is answered 503 and the pool is forked anew.
    """

    def __init__(self, matcher, processes):
        global _POOL_MATCHER
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        _POOL_MATCHER = matcher
        self.processes = processes
        self.restarts = 0
        self.answers = Counter()
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self):
        executor = ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_process,
            initargs=(os.getpid(),),
        )
        executor.submit(os.getpid).result()  # with fork, the first task starts every process
        return executor

    async def call(self, fn, *args):
        """``fn(matcher, *args)`` in a free process; ``fn`` must be a module-level function."""
        executor = self._executor
        try:
            pid, answer = await asyncio.wrap_future(executor.submit(_rank_in_process, fn, *args))
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:
                    executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._start()
                    self.restarts += 1
            raise Overloaded("a ranking process stopped and was replaced; retry", 1, reason="worker_lost") from None
        self.answers[pid] += 1
        return answer

    def stats(self):
        return {
            "processes": self.processes,
            "restarts": self.restarts,
            "answers_by_process": sorted(self.answers.values(), reverse=True),
        }

    def close(self):
        self._executor.shutdown(wait=True, cancel_futures=True)


class AccessLog:
    """ASGI wrapper writing one JSON line per request to the ``sistermatch.access`` logger.

    Each line has ``method``, ``path``, ``status``, ``ms``, ``cache`` (``"hit"``, ``"miss"``
    or null for answers that are never cached) and the worker's ``pid``.
    """

    def __init__(self, app, logger=None):
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        seen = {"status": 500, "cache": None}

        async def logged_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"x-cache":
                        seen["cache"] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            self.logger.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": seen["status"],
                        "ms": round((time.perf_counter() - started) * 1000.0, 1),
                        "cache": seen["cache"],
                        "pid": os.getpid(),
                    }
                )
            )
