"""What the desk calls each action and each timeline event (display only)."""

from django.utils.translation import gettext_lazy

from layanan.standards.models import StepAction

from .models import State

ACTION_LABELS = {
    "advance": gettext_lazy("Selesai, lanjut"),
    "escalate": gettext_lazy("Tidak dapat diselesaikan, teruskan"),
    "return_incomplete": gettext_lazy("Kembalikan ke pemohon (tidak lengkap)"),
    "resume": gettext_lazy("Kelengkapan diterima, lanjutkan"),
    "dispose": gettext_lazy("Disposisi"),
    "assign": gettext_lazy("Tugaskan"),
    "reject": gettext_lazy("Tolak"),
    "withdraw": gettext_lazy("Tutup: dicabut atas permintaan pemohon"),
    "close": gettext_lazy("Tutup"),
    "reopen": gettext_lazy("Buka kembali"),
    "note": gettext_lazy("Catatan"),
    "complete_compensation": gettext_lazy("Kompensasi sudah diberikan"),
    "return_for_revision": gettext_lazy("Kembalikan untuk perbaikan"),
    "extend": gettext_lazy("Perpanjang jangka waktu 7 hari kerja"),
    "answer_objection": gettext_lazy("Tanggapi keberatan"),
}
STEP_ACTION_LABELS = {
    StepAction.REGISTER: gettext_lazy("Catat / registrasi selesai"),
    StepAction.VERIFY: gettext_lazy("Persyaratan lengkap, lanjut"),
    StepAction.PROCESS: gettext_lazy("Selesai diproses, lanjut"),
    StepAction.CONSULT: gettext_lazy("Konsultasi selesai"),
    StepAction.INITIAL: gettext_lazy("Paraf"),
    StepAction.APPROVE: gettext_lazy("Sahkan / tanda tangani"),
    StepAction.DELIVER: gettext_lazy("Serahkan hasil"),
    StepAction.ANSWER: gettext_lazy("Kirim jawaban"),
    StepAction.SUBMIT: gettext_lazy("Dokumen dari pemohon diterima"),
}
NOTE_LABELS = {
    "dispose": gettext_lazy("Isi / instruksi disposisi"),
    "assign": gettext_lazy("Catatan penugasan"),
    "return_incomplete": gettext_lazy("Pesan untuk pemohon"),
    "escalate": gettext_lazy("Mengapa belum dapat diselesaikan"),
    "reject": gettext_lazy("Alasan penolakan"),
    "withdraw": gettext_lazy("Alasan (pemohon meminta pencabutan: kapan dan bagaimana)"),
    "reopen": gettext_lazy("Alasan membuka kembali"),
    "note": gettext_lazy("Catatan"),
    "complete_compensation": gettext_lazy("Bagaimana kompensasi diberikan"),
    "return_for_revision": gettext_lazy("Apa yang perlu diperbaiki"),
    "extend": gettext_lazy("Alasan perpanjangan (disampaikan kepada pemohon)"),
    "answer_objection": gettext_lazy("Tanggapan atas keberatan (disampaikan kepada pemohon)"),
}
CONFIRM_LABELS = {
    "withdraw": gettext_lazy("Saya memastikan pemohon sendiri meminta permohonan ini dicabut. "
                             "Pemohon akan diberi tahu."),
    "reject": gettext_lazy("Saya memastikan permohonan ini ditolak. Pemohon akan diberi tahu."),
}
EVENT_LABELS = {
    **{value: label for value, label in StepAction.choices},
    "submit": gettext_lazy("Permohonan diterima"),
    "received": gettext_lazy("Permohonan diterima"),
    "dispose": gettext_lazy("Disposisi"),
    "escalate": gettext_lazy("Diteruskan (belum dapat diselesaikan)"),
    "return_incomplete": gettext_lazy("Dikembalikan ke pemohon (tidak lengkap)"),
    "resume": gettext_lazy("Kelengkapan diterima"),
    "supply": gettext_lazy("Pemohon mengirim kelengkapan"),
    "message": gettext_lazy("Pesan dari pemohon"),
    "reject": gettext_lazy("Ditolak"),
    "withdraw": gettext_lazy("Dicabut"),
    "close": gettext_lazy("Ditutup"),
    "reopen": gettext_lazy("Dibuka kembali"),
    "assign": gettext_lazy("Ditugaskan"),
    "note": gettext_lazy("Catatan"),
    "compensation_due": gettext_lazy("Kompensasi wajib diberikan (tenggat terlewati)"),
    "complete_compensation": gettext_lazy("Kompensasi diberikan"),
    "sla_at_risk": gettext_lazy("Mendekati tenggat"),
    "sla_breached": gettext_lazy("Melewati tenggat"),
    "due_moved": gettext_lazy("Tenggat disesuaikan"),
    "return_for_revision": gettext_lazy("Dikembalikan untuk perbaikan"),
    "extend": gettext_lazy("Jangka waktu diperpanjang"),
    "object": gettext_lazy("Keberatan dari pemohon"),
    "answer_objection": gettext_lazy("Keberatan ditanggapi"),
}
STATE_LABELS = dict(State.choices)


def action_label(name: str, step=None) -> str:
    if name == "advance" and step is not None:
        return str(STEP_ACTION_LABELS.get(step.action, ACTION_LABELS["advance"]))
    return str(ACTION_LABELS.get(name, name))
