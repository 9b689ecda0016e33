"""Read the flow of a Mermaid `graph`/`flowchart` block (seed 003 keeps its procedure as one).

Only what a procedure needs: nodes (id → label, in order of first mention) and
directed edges. Statements may share one line, as they do when the graph sits
inside an HTML <pre> in a table cell. Pure Python, no Django.
"""

import re
from dataclasses import dataclass, field

START = re.compile(r"(?:^|\s)(?:graph|flowchart)(?:\s+(?:TD|TB|LR|RL|BT))?(?=\s|;|$)", re.IGNORECASE)
_SHAPES = (r"\[\[(?P<l1>[^\]]*)\]\]|\[(?P<l2>[^\]]*)\]|\(\((?P<l3>[^)]*)\)\)|\((?P<l4>[^)]*)\)"
           r"|\{(?P<l5>[^}]*)\}")
_NODE = re.compile(rf"(?P<id>[A-Za-z_]\w*)\s*(?:{_SHAPES})?")
_ARROW = re.compile(r"\s*(?:--\s*[^-|>]{1,60}?\s*-->|<?[-=.]{2,}[>ox]?)\s*(?:\|(?P<label>[^|]{0,200})\|)?\s*")
_STATEMENT_BREAK = re.compile(r"\s*(?:;|&)?\s*")
_SPACE = re.compile(r"\s*")
_LONE_NODE = re.compile(r"\w+\[[^\]]*\]")
_KEYWORDS = {"graph", "flowchart", "subgraph", "end", "classdef", "class", "style", "linkstyle", "click",
             "direction", "td", "tb", "lr", "rl", "bt"}


@dataclass
class Graph:
    nodes: dict[str, str] = field(default_factory=dict)  # id -> label
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, label)

    def successors(self, node: str) -> list[str]:
        return [target for source, target, _label in self.edges if source == node]


def parse(text: str) -> Graph:
    """The nodes and edges of the first graph in `text` (empty when there is none)."""
    graph = Graph()
    start = START.search(text)
    if start is None:
        return graph
    pos, previous = start.end(), None
    while (pos := _SPACE.match(text, pos).end()) < len(text):
        node = _NODE.match(text, pos)
        if node is None or node.group("id").lower() in _KEYWORDS and not _has_shape(node):
            pos = _skip_token(text, pos)
            previous = None
            continue
        node_id = node.group("id")
        _add_node(graph, node_id, _label(node))
        if previous is not None:
            graph.edges.append((previous[0], node_id, previous[1]))
            previous = None
        pos = node.end()
        arrow = _ARROW.match(text, pos)
        if arrow and arrow.end() > pos and _is_arrow(arrow.group(0)):
            previous = (node_id, (arrow.group("label") or "").strip())
            pos = arrow.end()
        else:
            pos = _STATEMENT_BREAK.match(text, pos).end()
    return graph


def _has_shape(node: re.Match) -> bool:
    return node.end() > node.start() + len(node.group("id"))


def _label(node: re.Match) -> str:
    for name in ("l1", "l2", "l3", "l4", "l5"):
        if node.group(name) is not None:
            return " ".join(node.group(name).strip().strip('"').split())
    return ""


def _add_node(graph: Graph, node_id: str, label: str) -> None:
    if label or node_id not in graph.nodes:
        graph.nodes[node_id] = label or graph.nodes.get(node_id) or node_id


def _is_arrow(token: str) -> bool:
    return ">" in token or "---" in token or "-.-" in token or "===" in token


def _skip_token(text: str, pos: int) -> int:
    """Step over something that is not a node (punctuation, a keyword) to keep going."""
    found = re.compile(r"\S+\s*").match(text, pos)
    return found.end() if found else len(text)


def find_block(lines: list[str]) -> tuple[int, int] | None:
    """(first, last) line index of the first Mermaid block among `lines`, or None."""
    for index, line in enumerate(lines):
        if START.search(line) and ("-->" in line or _continues(lines, index)):
            last = index
            while last + 1 < len(lines) and _is_graph_line(lines[last + 1]):
                last += 1
            return index, last
    return None


def _continues(lines: list[str], index: int) -> bool:
    return index + 1 < len(lines) and _is_graph_line(lines[index + 1])


def _is_graph_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    arrow = "-->" in stripped or "---" in stripped
    return arrow or _LONE_NODE.fullmatch(stripped) is not None or stripped.lower() in ("end", "```")
