"""Read-side helpers about an agency's structure."""

from .models import Unit


def unit_subtree(unit_ids, agency_id) -> set[int]:
    """`unit_ids` and every unit below them (one query over the agency's units)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.filter(agency_id=agency_id).values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found
