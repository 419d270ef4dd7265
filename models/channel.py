"""Intent cues for the channel task: questions, proposals and complaints read differently.

Real exports have few aspirasi and permintaan_informasi rows, so a text model alone barely learns
them; these counts of intent phrases (regular expressions over lower-cased text) give it words to
hold on to. They are appended to the text features of the channel classifier.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

INTENT_PATTERNS: dict[str, re.Pattern[str]] = {
    "question": re.compile(
        r"\?|\b(?:apakah|apa(?:kah)? (?:saja|syarat)|bagaimana|gimana|gmn|bgmn|kapan|kpn|dimana|"
        r"di mana|kemana|ke mana|berapa|brp|bisakah|bolehkah|mengapa|kenapa)\b"
    ),
    "information": re.compile(
        r"\b(?:mohon info\w*|minta info\w*|informasi|info|bertanya|tanya|menanyakan|"
        r"syarat\w*|prosedur|cara (?:\w+ )?(?:mengurus|daftar|mendaftar|membuat|mengajukan)|"
        r"jadwal|persyaratan|mekanisme|alur|nomor (?:telepon|kontak)|link|tautan)\b"
    ),
    "proposal": re.compile(
        r"\b(?:usul\w*|saran\w*|mengusulkan|aspirasi|sebaiknya|alangkah baiknya|harap\w*|"
        r"berharap|semoga|mohon (?:di)?(?:bangun|adakan|buatkan|tambah\w*|sediakan|pasang\w*)|"
        r"dibangun|diadakan|dibuatkan|disediakan|ditambah|perlu (?:adanya|ada)|program baru|"
        r"pemasangan|pengadaan|pembangunan|penambahan|pavingisasi|tambah\w*|ingin (?:ada|bantuan)|"
        r"mohon (?:untuk )?(?:di ?)?bantu\w*|bantuan untuk|agar (?:dapat|bisa|diberi))\b"
    ),
    "appreciation": re.compile(
        r"\b(?:terima ?kasih atas|apresiasi|bangga|puas|salut|mantap|luar biasa|"
        r"pelayanan(?:nya)? (?:bagus|baik|cepat|ramah))\b"
    ),
    "failure": re.compile(
        r"\b(?:rusak|tidak|tdk|gak|ga|belum|blm|mati|padam|macet|bocor|tersumbat|mampet|bau|"
        r"kotor|lambat|lama|dipersulit|pungli|pungutan|ditolak|salah|hilang|banjir|"
        r"mengganggu|keluh\w*|kecewa|parah|liar)\b"
    ),
}
"""Intent -> pattern; each report gets log(1 + count) per intent."""


def intent_features(texts: list[str]) -> sp.csr_matrix:
    """Log counts of each intent's cues, one row per text."""
    counts = np.array(
        [[len(p.findall(t.lower())) for p in INTENT_PATTERNS.values()] for t in texts],
        dtype=np.float32,
    ).reshape(len(texts), len(INTENT_PATTERNS))
    return sp.csr_matrix(np.log1p(counts))
