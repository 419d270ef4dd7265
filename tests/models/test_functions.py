"""The OPD-function resolver: names of regions it never saw, aliases, explicit functions."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from core.taxonomy import lapor_taxonomy
from models.functions import FunctionResolver, opd_functions, rule_functions


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("Dinas PUPR Kabupaten Sumba Timur", "pekerjaan_umum"),
        ("DPUTR Kab. Sleman", "pekerjaan_umum"),
        ("Dinas PU Bina Marga dan Pengairan", "pekerjaan_umum"),
        ("Disdukcapil Kabupaten Alor", "kependudukan"),
        ("Dinas Kependudukan dan Catatan Sipil", "kependudukan"),
        ("SATUAN POLISI PAMONG PRAJA KABUPATEN MAROS", "ketertiban_umum"),
        ("Satpol PP", "ketertiban_umum"),
        ("Perumdam Tirta Kencana", "air_minum"),
        ("PDAM Kota Tua", "air_minum"),
        ("BPJS Kesehatan Cabang Sangatta", "bpjs"),
        ("RSUD Sultan Imanuddin", "rumah_sakit"),
        ("Puskesmas Sangatta Utara", "puskesmas"),
        ("Kantor Pertanahan Kabupaten Paser", "pertanahan_bpn"),
        ("Dinas Perumahan Rakyat, Kawasan Permukiman dan Pertanahan", "perumahan"),
        ("Polres Kutai Timur", "kepolisian"),
        ("Kecamatan Long Mesangat", "kecamatan"),
        ("Desa Sepaso Barat", "kelurahan_desa"),
        ("Kelurahan Teluk Lingga", "kelurahan_desa"),
        ("Bagian Umum dan Protokol Setda", "sekretariat_daerah"),
        ("Dinas Pemberdayaan Masyarakat dan Desa", "pemberdayaan_desa"),
        ("Dinas Pemadam Kebakaran dan Penyelamatan", "kebakaran"),
        ("BNN Kabupaten Kutai Timur", "narkotika_bnn"),
        ("UPT Samsat Sangatta", "samsat"),
    ],
)
def test_names_of_an_unseen_region_resolve(name: str, function: str) -> None:
    assert rule_functions(name)[0] == function


def test_a_dinas_of_several_affairs_serves_each_main_one_first() -> None:
    assert rule_functions("Dinas Perindustrian dan Tenaga Kerja") == (
        "perdagangan_perindustrian",
        "tenaga_kerja",
    )
    # a part of the secretariat serves the secretariat alone, whatever its name mentions
    assert rule_functions("Bagian Protokol dan Komunikasi Pimpinan") == ("sekretariat_daerah",)


def test_the_explicit_function_wins_and_must_exist() -> None:
    resolver = FunctionResolver()
    found = resolver.resolve("Dinas Sosial", explicit="perempuan_anak")
    assert (found.function, found.method) == ("perempuan_anak", "explicit")
    assert found.functions == ("perempuan_anak", "sosial")
    with pytest.raises(ValueError, match="unknown function 'sosialisasi'"):
        resolver.resolve("Dinas Sosial", explicit="sosialisasi")


def _word_vectors(texts: list[str]) -> np.ndarray:
    """A stand-in sentence embedder: hashed bags of words (CRC-32, the same in every process),
    L2-normalised."""
    out = np.zeros((len(texts), 512))
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.casefold()):
            out[row, zlib.crc32(word.encode()) % 512] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_names_the_rules_miss_go_to_the_nearest_description() -> None:
    name = "Unit Layanan Sampah, TPS dan TPA Terpadu"
    assert rule_functions(name) == ()
    assert FunctionResolver().resolve(name).method == "unresolved"
    found = FunctionResolver(_word_vectors).resolve(name)
    assert (found.function, found.method) == ("lingkungan_hidup", "similarity")
    assert 0 < found.similarity <= 1


def test_every_function_names_real_lapor_topics_and_a_description() -> None:
    topics = set(lapor_taxonomy())
    for function in opd_functions().values():
        assert set(function.topics) <= topics, function.key
        assert len(function.description) > 40, function.key


@pytest.mark.slow
def test_the_e5_encoder_reads_names_the_rules_miss(encoder_cache: Path) -> None:
    from pipeline.deployment import e5_embedder

    resolver = FunctionResolver(e5_embedder(encoder_cache.parent))
    found = resolver.resolve_many(
        ["Unit Pelaksana Teknis Pengelolaan Sampah Terpadu", "UPT Pengelolaan Pasar Induk"]
    )
    assert [r.method for r in found.values()] == ["similarity", "similarity"]
    assert [r.function for r in found.values()] == ["lingkungan_hidup", "pasar"]
