"""The one table of what the domain's refusals say: each error code in English (the API, the
CLI, the logs' readers) and in Indonesian (the staff's UI). The services raise a code with its
facts (:class:`core.errors.LaporError`); only this module turns them into sentences."""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from core.errors import LaporError

Language = Literal["en", "id"]


class Wording(NamedTuple):
    english: str
    indonesian: str


MESSAGES: Final[dict[str, Wording]] = {
    "password.too_short": Wording(
        "the password needs at least {minimum} characters",
        "Kata sandi paling sedikit {minimum} karakter.",
    ),
    "intake.wrong_region": Wording(
        "this export is of {exported}, but the deployment is {deployment}: import it into that "
        "regency's deployment (or pass --force if it really belongs here)",
        "Berkas ini ekspor {exported}, sedangkan deployment ini {deployment}: impor ke "
        "deployment daerahnya.",
    ),
    "report.unknown": Wording("no report {report_id!r}", "Tidak ada laporan {report_id}."),
    "report.exists": Wording(
        "report {report_id!r} already exists", "Laporan {report_id} sudah ada."
    ),
    "report.stale": Wording(
        "report {report_id!r} changed since you saw it (version {seen}, now {current}): reload "
        "it and decide again",
        "Laporan {report_id} sudah diubah orang lain sejak halaman ini dibuka; perubahan Anda "
        "tidak disimpan. Periksa perubahannya di bawah lalu coba lagi.",
    ),
    "store.unavailable": Wording(
        "the store cannot save anything now ({problem}); nothing was saved: try again once an "
        "administrator has freed space",
        "Penyimpanan tidak dapat menulis ({problem}); tidak ada yang tersimpan. Coba lagi "
        "setelah administrator mengosongkan ruang disk.",
    ),
    "decision.needs_lead": Wording(
        "agency: a decision with supporting OPDs needs the lead OPD (the one that answers); "
        "name it, or accept the suggestion with the supporting OPDs",
        "OPD utama wajib diisi: OPD pendukung hanya membantu OPD utama. Isi OPD utama, atau "
        "Terima saran dengan OPD pendukung.",
    ),
    "decision.duplicate_of_itself": Wording(
        "a report cannot be a duplicate of itself",
        "Laporan tidak dapat menjadi duplikat dirinya sendiri.",
    ),
    "decision.duplicate_of_unknown": Wording(
        "duplicate_of: no report {duplicate_of!r}",
        "Duplikat dari: tidak ada laporan {duplicate_of}.",
    ),
    "decision.duplicate_cycle": Wording(
        "duplicate_of: {duplicate_of!r} is already linked (through duplicates) to {report_id!r}; "
        "a link back would make a cycle",
        "Laporan {duplicate_of} sudah tertaut (lewat duplikat) ke laporan {report_id}; tautan "
        "balik akan membuat lingkaran.",
    ),
    "decision.report_finished": Wording(
        "report {report_id!r} is {status}: reopen it to decide",
        "Laporan {report_id} sudah ditutup: buka kembali untuk memutuskan.",
    ),
    "decision.unknown_agency": Wording(
        "agency: {typed!r} is not one of the deployment's OPDs",
        "OPD “{typed}” tidak dikenal: pilih dari daftar OPD.",
    ),
    "decision.unknown_agency_close": Wording(
        "agency: {typed!r} is not one of the deployment's OPDs; did you mean {close}?",
        "OPD “{typed}” tidak dikenal: pilih dari daftar OPD. Pilih salah satu di bawah.",
    ),
    "route.not_forwarded": Wording(
        "report {report_id!r} is not forwarded yet: decide its OPD instead",
        "Laporan {report_id} belum diteruskan: tentukan OPD-nya dengan Terima saran atau Koreksi.",
    ),
    "route.same_agency": Wording(
        "report {report_id!r} is already with {agency}",
        "Laporan {report_id} sudah di {agency}: pilih OPD lain.",
    ),
    "route.already_forwarded": Wording(
        "report {report_id!r} is already forwarded to {agency}: re-route it (with a reason) to "
        "change its OPD",
        "Laporan {report_id} sudah diteruskan ke {agency}: gunakan Teruskan ke OPD lain (dengan "
        "alasan) untuk menggantinya.",
    ),
    "progress.unknown": Wording(
        "unknown progress {status!r} (expected {expected})", "Status tidak dikenal: {status}."
    ),
    "progress.not_closed": Wording(
        "report {report_id!r} is {status}, not closed", "Laporan {report_id} belum ditutup."
    ),
    "progress.finished": Wording(
        "report {report_id!r} is already {status}", "Laporan {report_id} sudah ditutup."
    ),
    "progress.passed": Wording(
        "report {report_id!r} is already {status}",
        "Laporan {report_id} sudah melewati tahap ini.",
    ),
    "link.not_offered": Wording(
        "{linked_id!r} is not a link offered for {report_id!r}",
        "Laporan {linked_id} tidak (lagi) ditawarkan sebagai duplikat.",
    ),
    "user.unknown": Wording("no user {name!r}", "Tidak ada pengguna {name}."),
    "user.exists": Wording("user {name!r} already exists", "Pengguna {name} sudah ada."),
    "user.bad_name": Wording(
        "user name {name!r} may hold only letters, digits and . _ @ - (1 to 64)",
        "Nama pengguna hanya boleh berisi huruf, angka, dan . _ @ - (1 sampai 64).",
    ),
    "user.bad_role": Wording(
        "unknown role {role!r} (expected one of {expected})",
        "Peran “{role}” tidak dikenal (pilih salah satu: {expected}).",
    ),
    "user.deactivate_self": Wording(
        "you cannot deactivate yourself: ask another admin",
        "Anda tidak dapat menonaktifkan diri sendiri: minta admin lain.",
    ),
    "user.already_active": Wording(
        "user {name!r} is already active", "Pengguna {name} sudah aktif."
    ),
    "user.already_inactive": Wording(
        "user {name!r} is already inactive", "Pengguna {name} sudah nonaktif."
    ),
    "user.last_admin": Wording(
        "{name!r} is the last active admin", "{name} adalah satu-satunya admin yang aktif."
    ),
    "key.unknown": Wording(
        "no API key {key!r} (give the id that `keys` lists)",
        "Tidak ada kunci API {key} (pakai nomor yang tercantum di daftar kunci).",
    ),
    "key.in_use": Wording(
        "that is the key this request was made with: revoke it with another",
        "Kunci ini sedang Anda pakai: cabut dengan kunci lain.",
    ),
    "key.revoked": Wording(
        "API key {key_id} is already revoked", "Kunci API {key_id} sudah dicabut."
    ),
    "catalogue.no_deployment": Wording(
        "no deployment is set up: run `lapor deployment init --regency ...` first",
        "Belum ada deployment: jalankan `lapor deployment init --regency ...` dulu.",
    ),
    "catalogue.unknown_opd": Wording(
        "the catalogue has no OPD {name!r}", "Tidak ada OPD “{name}” di daftar."
    ),
    "catalogue.unnamed_opd": Wording("an OPD needs a name", "OPD perlu nama."),
    "catalogue.opd_exists": Wording(
        "{name!r} is already in the catalogue as {existing!r}",
        "“{name}” sudah ada di daftar sebagai “{existing}”.",
    ),
    "catalogue.unknown_function": Wording(
        "unknown function {function!r}", "Fungsi “{function}” tidak dikenal."
    ),
    "catalogue.merge_into_itself": Wording(
        "{name!r} cannot be merged into itself", "“{name}” tidak dapat digabung ke dirinya sendiri."
    ),
}


def wording(error: LaporError, language: Language = "en") -> str:
    """What ``error`` says to its reader: English for the API and the CLI, Indonesian for the
    staff's UI. An error without a code (a one-off problem of a command's input) is its own
    English line in both."""
    if error.code is None:
        return str(error)
    english, indonesian = MESSAGES[error.code]
    return (english if language == "en" else indonesian).format(**error.params)
