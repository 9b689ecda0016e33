"""Wakes of the worker after a commit: at most one queued per kind, all checked in one round trip.

The outbox's sender and the staff notices are woken the same way (issue 13). A flag in Redis
(`SET NX`, one minute) says a wake of that kind is queued and has not started: the task is queued
only when the flag was not set already, and the task clears the flag *before* it reads what is
due. A row whose wake was skipped was committed before the flag was checked, so the queued task
still sees it. Under a rush a hundred submissions a second queue one task, not a hundred.

A submission asks for both wakes (its receipt, its "received" event): `after_commit()` collects
what one transaction asks for and checks every flag in one Redis pipeline after it commits —
one round trip, not one per kind. What a rolled-back transaction asked for is checked with the
next commit on this thread (a wake too many, never one too few).

A flag needs a cache every process shares (REDIS_URL: core/cache.RedisCache, whose `add_each`
checks the flags). Without one (a single process) a flag would never reach the worker that
clears it: each call then queues its own task after commit, as before the flags.
"""

import threading

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

FLAG_SECONDS = 60  # should a queued wake ever be lost, the flag lapses (and the minutely run sends)

_local = threading.local()


class _Batch:
    def __init__(self):
        self.tasks: dict = {}
        self.fired = False

    def fire(self) -> None:
        if self.fired:  # registered once per request for a wake; the first run does it all
            return
        self.fired = True
        flags = list(self.tasks)
        for flag, was_added in zip(flags, cache.add_each(flags, 1, FLAG_SECONDS), strict=True):
            if was_added:
                self.tasks[flag]()


def after_commit(flag: str, task, each=None) -> None:
    """Call `task()` (queue it) after the current transaction commits, unless a wake under `flag`
    is already queued and has not started. Outside a transaction: now. Without a shared cache,
    `each()` (default: `task()`) is queued after commit for every call instead."""
    if not settings.REDIS_URL:
        transaction.on_commit(each or task, robust=True)
        return
    batch = getattr(_local, "batch", None)
    if batch is None or batch.fired:
        batch = _local.batch = _Batch()
    batch.tasks.setdefault(flag, task)
    transaction.on_commit(batch.fire, robust=True)  # robust: a queue that is down is not an error page
