"""The DESIGN §3 output lines (`bench: NAME VALUE UNIT`, then `budget: NAME <= LIMIT UNIT ok|MISSED`)
and the timing helpers the benchmarks share."""

import operator
import statistics
import time

OPS = {"<=": operator.le, ">=": operator.ge}


class Report:
    """Prints figures; a figure named in `budgets` ({name: (op, limit, unit)}) gets its budget line."""

    def __init__(self, budgets: dict):
        self.budgets = budgets
        self.missed: list[str] = []

    def bench(self, name: str, value, unit: str, fmt: str = "{:.1f}") -> None:
        print(f"bench: {name} {fmt.format(value)} {unit}", flush=True)
        if name in self.budgets:
            op, limit, budget_unit = self.budgets[name]
            ok = OPS[op](value, limit)
            if not ok:
                self.missed.append(name)
            print(f"budget: {name} {op} {limit:g} {budget_unit} {'ok' if ok else 'MISSED'}", flush=True)

    def note(self, text: str) -> None:
        print(f"# {text}", flush=True)


def percentile(samples, p):
    """Inclusive linear-interpolation percentile (p in 1..99)."""
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def timed_gets(client, urls, expect=200):
    """Server time (ms) and body size of GET `urls` through the Django test client."""
    times, sizes = [], []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != expect:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        sizes.append(len(response.content))
    return times, sizes
