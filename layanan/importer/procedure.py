"""Procedure steps from the "Sistem, mekanisme dan prosedur" component.

Steps come from numbered lists, from bare paragraphs under a track heading
("1. Pelayanan dengan datang langsung …" / "2. Melalui media elektronik"),
from A./B./C. stages, and from a Mermaid graph (whose nodes name the actors
and whose edges give the transitions). Who acts, what they do and where an
unresolved consultation escalates to are inferred from the wording, as an
Indonesian SOP writes them ("Kepala Dinas memberikan disposisi …",
"Apabila tidak dapat diselesaikan, … oleh Kepala Dinas"). Pure Python.
"""

import re

from . import mermaid
from .fields import Reading
from .lists import Entry, entries

DEFAULT_ACTOR = "Pelaksana"

_NOISE = re.compile(r"^\s*(?:(?:keterangan|ket)\s*:?|alur\b.*|[\s\-–—]*>.*|[-–—\s]+|`{3}.*)\s*$", re.I)
_INTRO = re.compile(r"(?:yaitu|sebagai\s+berikut|terdiri\s+(?:dari|atas)|menjadi\s+\d|berikut)\s*:?\s*$",
                    re.I)
_ALTERNATIVES = re.compile(r"menjadi\s+\d|\d+\s*\(\w+\)\s*(?:cara|jalur|alur|mekanisme)|yaitu", re.I)

_ACTOR_HEAD = re.compile(
    r"(?:pemohon|masyarakat|pelapor|pengguna|opd|skpd|perangkat\s+daerah|unit\s+(?:pelayanan|kerja)|pd\b"
    r"|kepala|kasi|kasie|kasubb?ag|kasubbid|kabid|kabag|kadis|sekretaris|sekertaris|sekda|sekdis|bupati"
    r"|wali\s*kota|gubernur|camat|lurah|petugas|staff?|pelaksana|admin|operator|tim|analis|bagian"
    r"|bidang|seksi|sub\s*bagian|subbag|pimpinan|koordinator|pejabat|kementr?ian|inspektorat"
    r"|ombudsman|verifikator|resepsionis|front\s*office|customer\s+service)\b",
    re.IGNORECASE,
)
_PARTNER = re.compile(
    r"\boleh\s+|(?:ber)?konsultasi\s+(?:dengan|kepada)\s+|arahan\s+dari\s+|^diterima\s+(?:oleh\s+)?", re.I
)
_STOP_WORDS = {"akan", "untuk", "yang", "sesuai", "dengan", "kepada", "ke", "pada", "apabila", "jika",
               "setelah", "telah", "sudah", "wajib", "dapat", "melalui", "via", "agar", "guna", "secara",
               "serta", "kemudian", "lalu", "maka", "selanjutnya", "beserta", "bersama", "tentang", "datang",
               "hadir", "tiba", "bisa", "harus", "perlu", "masih", "juga", "tidak", "hanya", "sebagai"}
_NOUN_EXCEPTIONS = {"dinas", "daerah", "direktur", "direktorat", "distrik", "divisi", "terkait", "teknis",
                    "terpadu", "menteri", "medis", "desa", "dilingkungan"}
_VERB = re.compile(r"^(?:me|ber|di|ter)[a-z]{3,}$")
_SMALL_WORDS = {"dan", "atau", "yang", "di", "ke", "dari", "pada", "untuk", "dengan"}
_ACRONYMS = {"OPD", "SKPD", "PD", "IT", "TI", "SKM", "SOP", "ASN", "PNS", "UPT", "RB", "PAN", "SAKIP", "KBK",
             "PTSP", "DPMPTSP", "BKD", "TPP", "SP4N", "LAPOR!"}

_ROLES = [
    ("applicant", r"^(?:pemohon|masyarakat|pelapor|pengguna|opd\b|skpd|perangkat\s+daerah"
                  r"|unit\s+pelayanan|pd\b)"),
    ("external", r"sekretaris\s+daerah|sekertaris\s+daerah|sekda\b|bupati|wali\s*kota|gubernur|kementr?ian"
                 r"|inspektorat|ombudsman|tim\s+sakip|menteri"),
    ("unit_head", r"^(?:kepala\s+(?:seksi|bidang|sub\s*bagian|subbag|sub\s*bidang|upt|unit)|kasi\b|kasie"
                  r"|kasubb?ag|kasubbid|kabid|koordinator|bidang\b)"),
    ("head", r"^(?:kepala|kadis|kabag|pimpinan|camat|lurah)"),
    ("secretary", r"^(?:sekretaris|sekdis|sekertaris)"),
    ("operator", r"operator"),
    ("front_desk", r"^petugas\s+(?:pelayanan|layanan|loket|pengaduan|informasi|front)|front\s*office"
                   r"|resepsionis|customer\s+service"),
]
_COMPILED_ROLES = [(role, re.compile(pattern, re.I)) for role, pattern in _ROLES]

_APPROVE = (r"tanda\s*tangan|menanda\s*tangan|ditandatangani|penandatanganan|disahkan|mengesahkan"
            r"|pengesahan|menetapkan|ditetapkan")
_ACTIONS = [
    ("initial", r"\bparaf"),
    ("deliver", r"menyerahkan|diserahkan|penyerahan|mengirimkan|dikirim|pelaporan|dilaporkan"
                r"|menyampaikan\s+(?:hasil|lembar|surat\s+sekda)"
                r"|menyampaikan\b[^.;]{0,120}\b(?:kepada|ke)\s+(?:pemohon|opd|pd\b|masyarakat|pelapor)"),
    ("approve", _APPROVE),
    ("dispose", r"memberikan\s+disposisi|melakukan\s+disposisi|mendisposisi|meneruskan|diteruskan"),
    ("register", r"registrasi|mencatat|dicatat|mengagendakan"),
    ("answer", r"menjawab|dijawab|jawaban|membalas|surat\s+balasan"),
    ("verify", r"verifikasi|memverifikasi|memeriksa|mengoreksi|dikoreksi|observasi"),
    ("consult", r"konsultasi|koordinasi|bimbingan|membimbing|sosialisasi|mensosialisasikan|asistensi"
                r"|pembahasan|membahas|arahan|dilayani|melayani"),
    ("register", r"\b(?:datang|memasukk?an|diterima|menerima|melalui)\b"),
]
_COMPILED_ACTIONS = [(action, re.compile(pattern, re.I)) for action, pattern in _ACTIONS]
_APPLICANT_SUBMIT = re.compile(r"mengajukan|datang|menghubungi|mengisi|membawa|menyampaikan|mengumpulkan"
                               r"|mengirim", re.I)
_APPLICANT_APPROVE = re.compile(r"menetapkan|mengesahkan|menandatangani|pengesahan", re.I)
_APPLICANT_PROCESS = re.compile(r"melaksanakan|mengolah|pengolahan|menugaskan|distribusi|penerapan"
                                r"|menyusun", re.I)

_ESCALATION = re.compile(r"^(?:apabila|jika|bila|kalau)\s+(?:masih\s+)?tidak\s+(?:bisa|dapat)"
                         r"\s+diselesaikan", re.I)
_CLOSING = re.compile(r"^setelah\s+(?:semua\s+)?selesai", re.I)
_RETURN = re.compile(r"dikembalikan\s+(?:kepada|ke)\s+(?:pemohon|pd|opd|pelapor)|kembali\s+ke\s+pemohon"
                     r"|tidak\s+lengkap", re.I)
_REJECT = re.compile(r"atau\s+sebaliknya|ditolak|menolak", re.I)


def steps(lines: list[tuple[int, str]], *, clock_starts_at: str = "submitted") -> Reading:
    """Steps (interchange dicts, in order) of a procedure body given as (offset, line) pairs."""
    graph, lines = _take_graph(lines)
    kept, alternatives = _without_noise(lines)
    found, numbered = _steps_from_entries(entries(kept), alternatives)
    if graph.nodes:
        found = _apply_graph(found, graph) if found else _steps_from_graph(graph)
    _infer(found)
    _mark_clock(found, clock_starts_at)
    if not found:
        return Reading([], 0.0)
    return Reading(found, 0.85 if numbered else 0.7 if not graph.nodes else 0.75)


def steps_from_rows(rows: list[tuple[str, str]]) -> list[dict]:
    """Steps typed on the review screen as (actor, text); an empty actor is inferred."""
    found = [_step(text, "", "", actor.strip(), None) for actor, text in rows if text.strip()]
    _infer(found, keep_actor=True)
    for step in found:
        step.pop("_span")
    return found


def _infer(found: list[dict], *, keep_actor: bool = False) -> None:
    previous = ""
    for step in found:
        _complete(step, previous, keep_actor=keep_actor)
        previous = step["actor"] if step["role"] != "applicant" else ""
    _link_escalations(found)


# --- Reading the body -----------------------------------------------------------------------


def _take_graph(lines):
    """The Mermaid graph of the body (if any) and the lines without it."""
    block = mermaid.find_block([text for _offset, text in lines])
    if block is None:
        return mermaid.Graph(), lines
    first, last = block
    graph = mermaid.parse("\n".join(text for _offset, text in lines[first:last + 1]))
    return graph, lines[:first] + lines[last + 1:]


def _without_noise(lines):
    """Drop legends, "Keterangan" and the intro sentence; note if it announces alternatives."""
    kept, alternatives = [], False
    for offset, text in lines:
        if _NOISE.match(text):
            continue
        stripped = text.strip()
        if _INTRO.search(stripped) and not re.match(r"^(?:\d{1,2}|[A-Za-z])[.)]\s", stripped):
            alternatives = alternatives or bool(_ALTERNATIVES.search(stripped))
            continue
        kept.append((offset, text))
    return kept, alternatives


def _steps_from_entries(items: list[Entry], alternatives: bool) -> tuple[list[dict], bool]:
    found: list[dict] = []
    track = stage = stage_actor = ""
    for index, item in enumerate(items):
        kind = _header_kind(items, index, alternatives)
        if kind == "track":
            track, stage, stage_actor = _clean_label(item.text), "", ""
        elif kind == "stage":
            stage = f"{item.marker} {_clean_label(item.text)}".strip()
            stage_actor = _actor_phrase(item.text, 0)
        elif item.full_text.strip():
            end = item.children[-1].end if item.children else item.end
            found.append(_step(item.full_text, track, stage, stage_actor, [item.start, end]))
    return found, any(item.kind in ("num", "letter", "bullet") for item in items)


def _header_kind(items: list[Entry], index: int, alternatives: bool) -> str | None:
    """A lettered entry with entries under it is a stage; a numbered one may be a track."""
    item = items[index]
    if item.kind not in ("num", "letter"):
        return None
    children = _children(items, index)
    if not children:
        return None
    if item.kind == "letter":
        return "stage"
    nested_list = any(child.kind in ("num", "letter") and child.indent > item.indent for child in children)
    return "track" if alternatives or nested_list else None


def _children(items: list[Entry], index: int) -> list[Entry]:
    item = items[index]
    result = []
    for other in items[index + 1:]:
        if other.kind == item.kind and other.indent <= item.indent:
            break
        if other.kind in ("num", "letter") and other.indent < item.indent:
            break
        if other.kind in ("num", "letter") and other.indent == item.indent:
            break
        result.append(other)
    return result


def _clean_label(text: str) -> str:
    return " ".join(text.split()).rstrip(" :")


def _step(text: str, track: str, stage: str, actor: str, span: list[int] | None) -> dict:
    """A step dict of the interchange shape; `_span` (source offsets) is for the review screen."""
    return {
        "text": " ".join(text.split()), "actor": actor, "role": "", "unit": None,
        "action": "", "stage": stage, "track": track, "on_done": None, "on_cannot_resolve": None,
        "on_incomplete": "", "can_reject": False, "starts_clock": False, "_span": span,
    }


# --- Mermaid --------------------------------------------------------------------------------


def _steps_from_graph(graph: mermaid.Graph) -> list[dict]:
    """No written steps: every node is one, in the order the graph first names them."""
    order = list(graph.nodes)
    found = []
    for position, node in enumerate(order):
        label = smart_title(graph.nodes[node])
        step = _step(label, "", "", label, None)
        targets = [order.index(t) for t in graph.successors(node) if t in graph.nodes]
        forward = [t for t in targets if t > position]
        if forward and forward[0] != position + 1:
            step["on_done"] = forward[0] + 1
        elif not forward and position + 1 < len(order):
            step["on_done"] = 0
        found.append(step)
    return found


def _apply_graph(found: list[dict], graph: mermaid.Graph) -> list[dict]:
    """Written steps ("Pengaduan Manual : …") take actors and transitions from the graph."""
    own: dict[str, int] = {}
    actor_nodes: list[str | None] = []
    for index, step in enumerate(found):
        node = _matching_node(step["text"], graph)
        if node is None:
            actor_nodes.append(None)
            continue
        if _ACTOR_HEAD.match(graph.nodes[node]):
            own.setdefault(node, index)
            actor_nodes.append(node)
            continue
        step["track"] = smart_title(graph.nodes[node])
        actor = next((n for n in graph.successors(node) if _ACTOR_HEAD.match(graph.nodes[n])), None)
        if actor is not None:
            step["actor"] = smart_title(graph.nodes[actor])
        actor_nodes.append(actor)
    for index, node in enumerate(actor_nodes):
        target = next((own[n] for n in graph.successors(node) if n in own), None) if node else None
        if target is not None and target != index + 1:
            found[index]["on_done"] = target + 1
    return found


def _matching_node(text: str, graph: mermaid.Graph) -> str | None:
    """The node whose label the step's opening words repeat (typos at word ends tolerated)."""
    head = _tokens(re.split(r"\s:\s|:", text, maxsplit=1)[0])[:10]
    best, best_score = None, 0.0
    for node, label in graph.nodes.items():
        words = _tokens(label)
        if not words:
            continue
        score = sum(any(h.startswith(w) or w.startswith(h) for h in head) for w in words) / len(words)
        if score >= 0.75 and score > best_score:
            best, best_score = node, score
    return best


def _tokens(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text.lower()) if len(w) > 1]


def smart_title(text: str) -> str:
    """"PETUGAS PENGADUAN" → "Petugas Pengaduan", keeping short acronyms ("Operator IT")."""
    if not text.isupper():
        return text
    words = []
    for word in text.split():
        lower = word.lower()
        if lower in _SMALL_WORDS:
            words.append(lower)
        elif len(word) <= 2 or word in _ACRONYMS:
            words.append(word)
        else:
            words.append(word.capitalize())
    return " ".join(words)


# --- Actor, role, action ---------------------------------------------------------------------


def _complete(step: dict, previous_actor: str, *, keep_actor: bool = False) -> None:
    """Actor, role and action from the wording; an actorless step stays with the stage or the last actor."""
    text = step["text"]
    given = step["actor"] if keep_actor else ""
    actor = given or _actor_of(text) or step["actor"] or previous_actor or DEFAULT_ACTOR
    step["actor"] = actor
    step["role"] = role_for(actor)
    step["action"] = action_for(text, step["role"])
    if _RETURN.search(text):
        step["on_incomplete"] = "return_to_applicant"
    step["can_reject"] = bool(step["on_incomplete"] and _REJECT.search(text))


def _actor_of(text: str) -> str:
    """Who acts: the opening words, unless the applicant is served "oleh"/"dengan" someone."""
    lead = _actor_phrase(text, 0)
    partners = [p for p in (_actor_phrase(text, m.end()) for m in _PARTNER.finditer(text)) if p]
    if partners and (not lead or role_for(lead) == "applicant" and role_for(partners[0]) != "applicant"):
        return partners[0]
    return lead


def _actor_phrase(text: str, pos: int) -> str:
    """The noun phrase at `pos` when it names an actor ("Petugas data dan Pejabat Pengaduan")."""
    rest = text[pos:].lstrip()
    if not _ACTOR_HEAD.match(rest):
        return ""
    words: list[str] = []
    depth = 0
    for raw in rest.split()[:12]:
        if words and depth <= 0 and _ends_phrase(raw.strip(",.;:()").lower()):
            break
        depth += raw.count("(") - raw.count(")")
        words.append(raw)
        if depth <= 0 and raw[-1] in ",.;:":
            break
    parts = " ".join(words).rstrip(",.;:").split()
    while parts and parts[-1].lower() in ("dan", "atau", "/"):
        parts.pop()
    return _capitalised(" ".join(parts))


def _ends_phrase(lower: str) -> bool:
    if lower in _STOP_WORDS:
        return True
    return bool(_VERB.match(lower)) and lower not in _NOUN_EXCEPTIONS


def _capitalised(phrase: str) -> str:
    if phrase.isupper():
        return smart_title(phrase)
    if phrase.islower():
        return " ".join(w if w in _SMALL_WORDS else w.capitalize() for w in phrase.split())
    return phrase[:1].upper() + phrase[1:]


def role_for(actor: str) -> str:
    for role, pattern in _COMPILED_ROLES:
        if pattern.search(actor):
            return role
    return "handler"


def action_for(text: str, role: str) -> str:
    if role == "applicant":
        if _APPLICANT_SUBMIT.search(text):
            return "submit"
        if _APPLICANT_APPROVE.search(text):
            return "approve"
        return "process" if _APPLICANT_PROCESS.search(text) else "submit"
    for action, pattern in _COMPILED_ACTIONS:
        if pattern.search(text):
            return action
    return "process"


# --- Transitions -----------------------------------------------------------------------------


def _link_escalations(found: list[dict]) -> None:
    """"Apabila tidak dapat diselesaikan …" is where the step before it escalates to."""
    for index, step in enumerate(found):
        if index == 0 or not _ESCALATION.match(step["text"]):
            continue
        previous = found[index - 1]
        if previous["track"] != step["track"]:
            continue
        previous["on_cannot_resolve"] = index + 1
        closing = next((j for j in range(index + 1, len(found))
                        if found[j]["track"] == step["track"] and _CLOSING.match(found[j]["text"])), None)
        if closing is not None:
            previous["on_done"] = closing + 1
    for index, step in enumerate(found[:-1]):
        following = found[index + 1]["track"]
        if step["track"] and following and following != step["track"] and step["on_done"] is None:
            step["on_done"] = 0  # the end of one intake track is the end of the request


def _mark_clock(found: list[dict], clock_starts_at: str) -> None:
    """The step after the disposition named in "1 bulan sejak disposisi … diterima …" starts the clock."""
    if not clock_starts_at or clock_starts_at == "submitted" or not found:
        return
    phrase = set(_tokens(clock_starts_at))
    candidates = [(len(phrase & set(_tokens(s["actor"]))), i) for i, s in enumerate(found)
                  if s["action"] == "dispose" or "disposisi" not in phrase]
    if not candidates:
        return
    score, index = max(candidates, key=lambda c: (c[0], -c[1]))
    if score == 0:
        return
    target = index + 1 if "disposisi" in phrase and index + 1 < len(found) else index
    found[target]["starts_clock"] = True
