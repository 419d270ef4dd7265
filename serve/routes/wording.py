"""What the UI calls things, in Bahasa Indonesia: statuses, channels, urgency reasons, actions,
roles, how an OPD's function was found, and a decision of a report's history as a sentence."""

from __future__ import annotations

from serve.schemas import DecisionOut

STATUS_NAMES = {
    "new": "Baru",
    "verified": "Terverifikasi",
    "dispositioned": "Didisposisikan",
    "responded": "Ditindaklanjuti",
    "closed": "Selesai",
    "archived": "Diarsipkan",
}
CHANNEL_NAMES = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "permintaan_informasi": "Permintaan informasi",
}
REASON_NAMES = {
    "fire": "kebakaran",
    "flood": "banjir",
    "tree": "pohon tumbang",
    "electric": "bahaya listrik",
    "accident": "kecelakaan",
    "missing_person": "orang hilang",
    "violence": "kekerasan",
    "medical": "darurat medis",
    "structure": "bangunan runtuh",
    "animal": "hewan berbahaya",
    "gas": "kebocoran gas",
    "road_hazard": "bahaya di jalan",
    "person_in_crisis": "orang dalam krisis",
    "other": "lainnya",
}
ACTION_NAMES = {
    "accept": "menerima saran",
    "override": "mengoreksi",
    "reroute": "meneruskan ke OPD lain",
}
ROLE_NAMES = {"staff": "petugas", "admin": "admin"}
HOW_NAMES = {
    "explicit": "ditulis admin", "rule": "aturan nama", "similarity": "kemiripan deskripsi",
    "unresolved": "belum diketahui", "gazetteer": "gazeter Kemendagri",
}  # fmt: skip
"""How an OPD's function was found, in words (the catalogue page)."""


def decision_text(decision: DecisionOut) -> str:
    """One decision of a report's history as a sentence: who did what, naming only what the
    decision set ("siti mengoreksi: OPD → Dinas Sosial; mendesak → ya")."""
    actor = "SP4N-LAPOR! (portal)" if decision.source == "portal" else decision.user
    parts = []
    if decision.agency:
        helpers = decision.supporting_agencies or []
        parts.append(
            f"OPD → {decision.agency}" + (f" (pendukung: {', '.join(helpers)})" if helpers else "")
        )
    if decision.topic:
        parts.append(f"topik → {decision.topic}")
    if decision.channel:
        parts.append(f"jenis → {CHANNEL_NAMES.get(decision.channel, decision.channel)}")
    if decision.urgent is not None:
        parts.append(f"mendesak → {'ya' if decision.urgent else 'tidak'}")
    if decision.duplicate_of:
        parts.append(f"duplikat dari {decision.duplicate_of}")
    if decision.note:
        parts.append(
            f"alasan: “{decision.note}”"
            if decision.action == "reroute"
            else f"catatan: “{decision.note}”"
        )
    action = ACTION_NAMES.get(decision.action, decision.action)
    return f"{actor} {action}" + (": " + "; ".join(parts) if parts else "")


WEAK_TEXT = 0.4
"""Below this text similarity a likely link is headlined as maybe another event at the same
place, not as a duplicate (two emergencies on one street score high on place and time)."""


AUDIT_NAMES = {
    "add_user": "menambah pengguna",
    "set_password": "mengganti kata sandi",
    "activate": "mengaktifkan",
    "deactivate": "menonaktifkan",
    "add_key": "membuat kunci API",
    "revoke_key": "mencabut kunci API",
    "auto_suspended": "menghentikan saran pasti",
    "auto_resumed": "melanjutkan saran pasti",
}
"""The audit trail's actions, in words (the accounts page)."""


def audit_detail(detail: str | None) -> str | None:
    """An audit event's detail in words: the role an account was given, the key revoked."""
    if detail is None:
        return None
    kind, _, rest = detail.partition(" ")
    if kind == "role":
        return f"peran {ROLE_NAMES.get(rest, rest)}"
    if kind == "key":
        return f"kunci {rest}"
    return detail
