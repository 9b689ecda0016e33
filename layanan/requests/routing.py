"""Where a new request enters its procedure, by the channel it came through.

Seed 000's procedure has two tracks ("Datang langsung" / "Media informasi
elektronik"), seed 003's two ("Pengaduan Manual" / "Pengaduan Online"): a request
starts on the track of its channel, at the first step the agency itself acts on.
"""

from layanan.standards.models import APPLICANT, EXTERNAL

# Words in a procedure's track names and the channels that take each path.
IN_PERSON_WORDS = ("langsung", "manual", "loket", "tatap muka")
IN_PERSON_CHANNELS = frozenset({"counter", "letter", "suggestion_box"})


def track_fits(track: str, channel: str) -> bool:
    if not track:
        return True
    in_person_track = any(word in track.lower() for word in IN_PERSON_WORDS)
    return in_person_track == (channel in IN_PERSON_CHANNELS)


def entry_step(steps, channel: str):
    """Where a new request starts: the first step the agency itself acts on, on the
    procedure's track for this channel. Steps of the applicant and of outside
    parties before it (the OPD's letter, the Sekda forwarding it) have happened."""
    on_track = [s for s in steps if track_fits(s.track, channel)] or steps
    for step in on_track:
        if step.role not in {APPLICANT, EXTERNAL}:
            return step
    return on_track[-1] if on_track else None
