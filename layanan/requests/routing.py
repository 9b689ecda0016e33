"""Where a new request enters its procedure, by the channel it came through.

Seed 000's procedure has two tracks ("Datang langsung" / "Media informasi
elektronik"), seed 003's two ("Pengaduan Manual" / "Pengaduan Online"): a request
starts on the track of its channel, at the first step the agency itself acts on.
"""

from layanan.standards.models import APPLICANT, EXTERNAL

# Words in a procedure's track names and the channels that take each path.
IN_PERSON_WORDS = ("langsung", "manual", "loket", "tatap muka")
IN_PERSON_CHANNELS = frozenset({"counter", "letter", "suggestion_box"})


# Words in a track's name that make it the path of one kind of request ("Pengaduan",
# "Permintaan data", "Konsultasi"); a track naming none of them takes every kind.
KIND_WORDS = {
    "complaint": ("pengaduan", "aduan"),
    "data_request": ("permintaan data", "permohonan data"),
    "information": ("permintaan informasi", "permohonan informasi"),
    "consultation": ("konsultasi",),
}
ONLINE_WORDS = ("online", "daring", "elektronik", "web", "whatsapp", "e-mail", "email")


def _kinds_named(track: str) -> set:
    lowered = (track or "").lower()
    return {k for k, words in KIND_WORDS.items() if any(w in lowered for w in words)}


def track_fits(track: str, channel: str) -> bool:
    if not track:
        return True
    lowered = track.lower()
    in_person_track = any(word in lowered for word in IN_PERSON_WORDS)
    if not in_person_track and _kinds_named(track) and not any(w in lowered for w in ONLINE_WORDS):
        return True  # a track named by its kind only ("Pengaduan") takes every channel
    return in_person_track == (channel in IN_PERSON_CHANNELS)


def track_fits_kind(track: str, kind: str) -> bool:
    named = _kinds_named(track)
    return not named or not kind or kind in named


def entry_step(steps, channel: str, kind: str = ""):
    """Where a new request starts: the first step the agency itself acts on, on the
    procedure's track for this channel and kind (a procedure with a "Pengaduan" track and a
    "Permintaan data" track starts each kind on its own). Steps of the applicant and of outside
    parties before it (the OPD's letter, the Sekda forwarding it) have happened."""
    by_kind = [s for s in steps if track_fits_kind(s.track, kind)] or steps
    on_track = [s for s in by_kind if track_fits(s.track, channel)] or by_kind
    for step in on_track:
        if step.role not in {APPLICANT, EXTERNAL}:
            return step
    return on_track[-1] if on_track else None
