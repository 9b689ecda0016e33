"""Generations in the shared cache: how every process knows that what it keeps is still current.

A process keeps what is costly to build and rarely changes (an agency's working calendar, the
published standards behind the web forms) together with the generation it was built under, and
compares that with the shared value on each use — one Redis GET. Whoever changes the thing renews
the generation; every process, on every server, then builds it anew on its next use.
"""

import uuid

from django.core.cache import cache


def current(key: str) -> str:
    """The generation under `key`; a new one when the shared cache has none."""
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key)
    # Gone again at once (a Redis short of memory evicting keys): a value no one else has, so
    # nothing kept under it is ever taken for current.
    return value if value is not None else uuid.uuid4().hex


def renew(key: str) -> None:
    """Every process builds anew what it keeps under `key`."""
    cache.set(key, uuid.uuid4().hex, None)
