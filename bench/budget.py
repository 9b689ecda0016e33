"""The DESIGN §3 output lines: `bench: NAME VALUE UNIT`, then `budget: NAME <= LIMIT UNIT ok|MISSED`."""

import operator

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
