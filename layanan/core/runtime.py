"""How a server process runs Python: its garbage collector set for a web worker (issue 13).

CPython's cyclic garbage collector runs a young-generation pass after every 700 net new container
objects. A web-form submission makes several thousand on its way (the request, the form, the
model instances, the statement parameters), so every submission paid one pass in the middle of
its work, every tenth a larger one and now and then a full pass over the ~180,000 objects the
application holds from start-up: 0.4–0.65 ms of collector time per request, measured in process
(docs/benchmarks.md, fifth session of 2026-11-30). Objects without cycles are freed by reference
counting anyway; the collector only has to find the cyclic ones, and finding them less often costs
less in all: with the threshold below the same requests spent 0.18–0.28 ms per request in it.

`tune_garbage_collector()` runs once the application is loaded (layanan/wsgi.py):
- `gc.freeze()`: what start-up built (modules, URL patterns, templates, translations) moves to a
  generation no pass walks again — and stays shared with the master after a fork (gunicorn
  --preload) instead of being copied by the collector touching it;
- `gc.set_threshold(GC_THRESHOLD)`: 10,000 / 50 / 50 unless the operator sets another
  (GC_THRESHOLD="10000,50,50"; docs/operations.md). Memory: a worker holds at most one
  threshold's worth of not-yet-collected cyclic garbage, a few MB.
"""

import gc

from django.core.exceptions import ImproperlyConfigured

DEFAULT_GC_THRESHOLD = (10_000, 50, 50)


def gc_threshold(value: str) -> tuple[int, int, int]:
    """'10000,50,50' → (10000, 50, 50); empty → the default. Anything else is refused loudly."""
    if not value.strip():
        return DEFAULT_GC_THRESHOLD
    try:
        parts = tuple(int(part) for part in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 3 or not all(part > 0 for part in parts):
        raise ImproperlyConfigured(
            f"GC_THRESHOLD harus tiga bilangan bulat positif, mis. 10000,50,50 / GC_THRESHOLD must be "
            f"three positive integers, e.g. 10000,50,50 (got {value!r})")
    return parts


def tune_garbage_collector(threshold: tuple[int, int, int]) -> None:
    gc.collect()  # what start-up left as garbage goes now, not into the frozen generation
    gc.freeze()
    gc.set_threshold(*threshold)
