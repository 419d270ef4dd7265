"""Finding an OPD by the names staff type: the full name in any case, its acronym (DPUPR),
the common Indonesian short forms (PUPR, Dishub, Disdukcapil, Satpol PP, Damkar, …) or a few
words of it ("pekerjaan umum"). One home for this, so the correction form, the API and the
queue filter accept and find the same agencies."""

from __future__ import annotations

import re

SHORT_FORMS: dict[str, str] = {
    "pupr": "pekerjaan umum dan penataan ruang",
    "pu": "pekerjaan umum",
    "dpupr": "pekerjaan umum dan penataan ruang",
    "dputr": "pekerjaan umum dan tata ruang",
    "binamarga": "bina marga",
    "perkim": "perumahan dan kawasan permukiman",
    "disperkim": "perumahan dan kawasan permukiman",
    "dishub": "perhubungan",
    "disdukcapil": "kependudukan dan pencatatan sipil",
    "dukcapil": "kependudukan dan pencatatan sipil",
    "dinkes": "kesehatan",
    "disdik": "pendidikan",
    "disdikbud": "pendidikan dan kebudayaan",
    "dinsos": "sosial",
    "dlh": "lingkungan hidup",
    "satpol pp": "satuan polisi pamong praja",
    "satpolpp": "satuan polisi pamong praja",
    "bpbd": "penanggulangan bencana",
    "damkar": "pemadam kebakaran",
    "diskominfo": "komunikasi, informatika",
    "kominfo": "komunikasi, informatika",
    "disnaker": "tenaga kerja",
    "disnakertrans": "tenaga kerja dan transmigrasi",
    "distan": "pertanian",
    "disbun": "perkebunan",
    "disperindag": "perindustrian dan perdagangan",
    "diskop": "koperasi",
    "dpmd": "pemberdayaan masyarakat dan desa",
    "dpmptsp": "penanaman modal dan pelayanan terpadu satu pintu",
    "bapenda": "pendapatan daerah",
    "bappeda": "perencanaan pembangunan",
    "bkpsdm": "kepegawaian dan pengembangan sumber daya manusia",
    "dp3a": "pemberdayaan perempuan dan perlindungan anak",
    "dispora": "pemuda dan olahraga",
    "rsud": "rsud",
    "pdam": "air minum",
    "perumdam": "perumdam",
    "bpn": "pertanahan",
}
"""Short form -> words of the agency's name it stands for (matched case-insensitively)."""
_FILLER = frozenset({"dan", "serta", "dari", "di", "ke", "kabupaten", "kota", "kab", "&"})


def _plain(text: str) -> str:
    return re.sub(r"[^\w&]+", " ", text.casefold()).strip()


def acronym(name: str) -> str:
    """The initials of a name's significant words: "Dinas Pekerjaan Umum dan Penataan Ruang"
    -> "dpupr"."""
    return "".join(word[0] for word in _plain(name).split() if word not in _FILLER)


def canonical_agency(value: str, agencies: list[str]) -> str | None:
    """The agency ``value`` names exactly (case and spacing forgiven), else None."""
    wanted = _plain(value)
    return next((name for name in agencies if _plain(name) == wanted), None)


def search_agencies(query: str, agencies: list[str], limit: int = 10) -> list[str]:
    """Agencies matching what was typed, best first: the exact name, an acronym or short form,
    then names that contain every typed word."""
    wanted = _plain(query)
    if not wanted:
        return []
    compact = wanted.replace(" ", "")
    expansion = SHORT_FORMS.get(wanted) or SHORT_FORMS.get(compact)
    scored = []
    for name in agencies:
        plain = _plain(name)
        if plain == wanted:
            rank = 0
        elif acronym(name) == compact or (expansion is not None and _plain(expansion) in plain):
            rank = 1
        elif all(word in plain.split() or word in plain for word in wanted.split()):
            rank = 2
        else:
            continue
        scored.append((rank, len(name), name))
    return [name for _, _, name in sorted(scored)[:limit]]


def agency_hint(name: str) -> str:
    """What a list option shows beside the name so that typing a short form finds it."""
    forms = [form for form, words in SHORT_FORMS.items() if _plain(words) in _plain(name)]
    return " · ".join(dict.fromkeys([acronym(name).upper(), *(f.upper() for f in forms)]))
