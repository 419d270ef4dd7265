"""The kinds of problem the demo's citizens report: where each is routed, how people write
about it, how urgent it is. The scenarios themselves are data (``scenarios.yaml``, read at
start); the OPDs that share a problem and the vague and mixed wordings are here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.synth.gazetteer import KECAMATAN_OFFICE


@dataclass(frozen=True)
class Scenario:
    """One kind of problem: where it is routed, how people write about it, how urgent it is."""

    key: str
    topic: str
    subtopic: str
    agency: str
    weight: float
    objects: tuple[str, ...]
    complaints: tuple[str, ...]
    titles: tuple[str, ...]
    suggestions: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    urgent_reason: str | None = None
    calm: tuple[str, ...] = field(default=())
    """For urgent scenarios: past, resolved or harmless variants (not urgent)."""


SCENARIO_FILE = Path(__file__).with_name("scenarios.yaml")


def load_scenarios(path: Path = SCENARIO_FILE) -> tuple[Scenario, ...]:
    """The scenarios of a data file, in its order (lists become tuples, as the generator and
    the Scenario's hash expect)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Scenario(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
        for entry in entries
    )


SCENARIOS = load_scenarios()

SHARED_OWNERSHIP: dict[str, tuple[tuple[str, float], ...]] = {
    "drainase": (("perkim", 0.25), ("dlh", 0.15), (KECAMATAN_OFFICE, 0.1)),
    "lampu_jalan": (("pln", 0.2), (KECAMATAN_OFFICE, 0.1)),
    "parkir_angkutan": (("satpolpp", 0.25), ("polres", 0.1)),
    "sampah": ((KECAMATAN_OFFICE, 0.25),),
    "bansos": (("dpmd", 0.15), (KECAMATAN_OFFICE, 0.2)),
    "puskesmas": (("rsud", 0.15), ("bpjs", 0.1)),
    "rsud": (("dinkes", 0.25),),
    "bpjs": (("dinkes", 0.2), ("dinsos", 0.1)),
    "perkebunan": (("distanak", 0.2), ("bpn", 0.1)),
    "tanah": ((KECAMATAN_OFFICE, 0.2), ("perkim", 0.1)),
    "satpol": (("polres", 0.2), (KECAMATAN_OFFICE, 0.2)),
    "desa": ((KECAMATAN_OFFICE, 0.3),),
    "kecamatan_layanan": (("disdukcapil", 0.15),),
    "kecamatan_wilayah": (("pupr", 0.15), ("dpmd", 0.15)),
    "rumah_layak": (("dinsos", 0.2), ("pupr", 0.15)),
    "pohon_tumbang": (("dlh", 0.2), ("pupr", 0.1)),
    "banjir": (("pupr", 0.2),),
    "kabel": (("dishub", 0.15),),
}
"""Scenario -> other owners and the share of its problems each receives (scenarios not listed,
about half of the routine reports, always go to their own OPD): the disputes real
dispositions show (a dinas or the kecamatan office; PUPR, Perkim or DLH for drainage; a
vertical agency such as PLN or Polres), so that identical-looking reports go to different OPDs
and the demo model is unsure where real models are."""

VAGUE_SHARE = 0.08
VAGUE_COMPLAINTS = (
    "Mohon {obj} {lokasi} segera ditindaklanjuti.",
    "Tolong dicek {lokasi}, warga sudah resah.",
    "{obj} bermasalah lagi.",
    "Sudah lama dilaporkan belum ada respon, mohon ditindak.",
    "Ada masalah {lokasi}, mohon bantuannya.",
    "Kapan ini diurus? {obj}.",
)
"""Very short or vague reports (a share of first reports): the text barely says who owns it."""

MIXED_QUESTIONS = (
    " Kapan akan ditangani?",
    " Apakah sudah ada jadwalnya?",
    " Ke mana kami harus melapor?",
    " Mohon info tindak lanjutnya.",
)
"""Questions appended to some complaints: mixed intents, still a pengaduan (the guide's rule)."""
MIXED_SHARE = 0.12
