"""The embedded default deployment: seeded synthetic reports for Kabupaten Kutai Timur.

Reports are written the way citizens write (slang, typos, no punctuation, greetings, Banjar/Kutai
words), follow weekday/hour intake patterns, carry disposition and follow-up times, and fill every
label of the schema: channel, LAPOR! topic and sub-topic, the OPD, urgency with a reason code, and
duplicate chains (the same problem reported again in other words days later). Everything is
deterministic for a given seed, and rows are generated lazily so a million can be streamed.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import numpy as np

from core.schema import REPORT_FIELDS
from core.text import slang_dictionary

PROVINCE = "Kalimantan Timur"
REGENCY = "Kabupaten Kutai Timur"

KECAMATAN_VILLAGES: dict[str, tuple[str, ...]] = {
    "Sangatta Utara": ("Singa Gembara", "Sangatta Utara", "Teluk Lingga", "Swarga Bara"),
    "Sangatta Selatan": ("Sangatta Selatan", "Singa Geweh", "Sangkima", "Teluk Singkama"),
    "Teluk Pandan": ("Teluk Pandan", "Suka Rahmat", "Kandolo", "Danau Redan", "Martadinata"),
    "Rantau Pulung": ("Rantau Makmur", "Pulung Sari", "Tanjung Labu", "Mukti Jaya", "Margo Mulyo"),
    "Bengalon": ("Sepaso", "Sepaso Barat", "Sepaso Timur", "Tepian Langsat", "Muara Bengalon"),
    "Kaliorang": ("Kaliorang", "Bukit Makmur", "Bangun Jaya", "Bukit Harapan", "Selangkau"),
    "Kaubun": ("Kadungan Jaya", "Bumi Etam", "Bumi Rapak", "Pengadan Baru", "Cipta Graha"),
    "Karangan": ("Karangan Dalam", "Karangan Hilir", "Karangan Seberang", "Baay", "Batu Lepoq"),
    "Sandaran": ("Manubar", "Tadoan", "Susuk Luar", "Susuk Dalam", "Marukangan"),
    "Sangkulirang": ("Benua Baru Ilir", "Benua Baru Ulu", "Kerayaan", "Pelawan", "Tanjung Manis"),
    "Kongbeng": ("Miau Baru", "Kongbeng Indah", "Sri Pantun", "Marga Mulya", "Suka Maju"),
    "Muara Wahau": ("Wahau Baru", "Nehas Liah Bing", "Diaq Lay", "Jak Luay", "Long Wehea"),
    "Telen": ("Long Segar", "Juk Ayaq", "Muara Pantun", "Long Noran", "Marah Haloq"),
    "Muara Ancalong": ("Kelinjau Ulu", "Kelinjau Ilir", "Senyiur", "Gemar Baru", "Long Tesak"),
    "Busang": ("Long Bentuk", "Long Lees", "Mekar Baru", "Long Pejeng", "Long Nyelong"),
    "Long Mesangat": ("Sumber Agung", "Tanjung Sari", "Melan", "Long Mesangat", "Mekar Jaya"),
    "Muara Bengkal": ("Muara Bengkal Ilir", "Muara Bengkal Ulu", "Ngayau", "Mulupan", "Senambah"),
    "Batu Ampar": ("Batu Timbau", "Himba Lestari", "Mawai Indah", "Telaga", "Beno Harapan"),
}
"""The 18 kecamatan of Kutai Timur with some of their villages."""

_KECAMATAN_WEIGHTS = {
    "Sangatta Utara": 9.0,
    "Sangatta Selatan": 4.0,
    "Teluk Pandan": 2.0,
    "Rantau Pulung": 1.5,
    "Bengalon": 2.5,
    "Muara Wahau": 2.0,
    "Sangkulirang": 1.5,
    "Kongbeng": 1.2,
}

OPD: dict[str, str] = {
    "pupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "dinkes": "Dinas Kesehatan",
    "disdikbud": "Dinas Pendidikan dan Kebudayaan",
    "dinsos": "Dinas Sosial",
    "dlh": "Dinas Lingkungan Hidup",
    "dishub": "Dinas Perhubungan",
    "disdukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
    "bpbd": "Badan Penanggulangan Bencana Daerah",
    "satpolpp": "Satuan Polisi Pamong Praja",
    "diskominfo": "Dinas Komunikasi, Informatika, Statistik dan Persandian",
    "rsud": "RSUD Kudungga",
    "pdam": "Perumdam Tirta Tuah Benua",
    "perkim": "Dinas Perumahan dan Kawasan Permukiman",
    "disnakertrans": "Dinas Tenaga Kerja dan Transmigrasi",
    "distanak": "Dinas Pertanian dan Peternakan",
    "disbun": "Dinas Perkebunan",
    "disperindag": "Dinas Perindustrian dan Perdagangan",
    "diskopukm": "Dinas Koperasi dan Usaha Kecil Menengah",
    "dpmd": "Dinas Pemberdayaan Masyarakat dan Desa",
    "dpmptsp": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "damkar": "Dinas Pemadam Kebakaran dan Penyelamatan",
    "bapenda": "Badan Pendapatan Daerah",
    "bkpsdm": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "dp3a": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "dispora": "Dinas Pemuda dan Olahraga",
    "bpn": "Kantor Pertanahan Kabupaten Kutai Timur",
    "pln": "PLN ULP Sangatta",
    "polres": "Polres Kutai Timur",
    "bpjs": "BPJS Kesehatan",
    "kemenag": "Kantor Kementerian Agama Kabupaten Kutai Timur",
}
"""The kabupaten's OPD and the vertical agencies it forwards to; kecamatan offices are added."""

KECAMATAN_OFFICE = "kecamatan"
"""Scenario agency key meaning "the office of the report's own kecamatan"."""


def agency_names() -> list[str]:
    """Every agency the demo deployment routes to (OPD, vertical agencies, kecamatan offices)."""
    return [*OPD.values(), *(f"Kecamatan {k}" for k in KECAMATAN_VILLAGES)]


STREETS = (
    "Yos Sudarso",
    "APT Pranoto",
    "Soekarno Hatta",
    "Poros Sangatta-Bengalon",
    "Pendidikan",
    "Kabo Jaya",
    "Ilham Maulana",
    "Diponegoro",
    "Jenderal Sudirman",
    "Pattimura",
    "Cendrawasih",
    "Ahmad Yani",
    "Sangatta Lama",
    "Poros Wahau",
    "Mulawarman",
    "Harun Nafsi",
    "Gunung Menangis",
    "Bukit Pelangi",
    "Masabang",
    "Karya Etam",
)
GANGS = ("Mawar", "Melati", "Damai", "Sepakat", "Bersama")
LANDMARKS = (
    "dekat masjid",
    "depan SD 003",
    "samping pasar",
    "dekat puskesmas",
    "depan kantor desa",
    "belakang SMP 1",
    "dekat jembatan",
    "di simpang tiga",
    "depan toko bangunan",
    "dekat lapangan bola",
    "di ujung gang",
    "dekat pos ronda",
)
DURATIONS = (
    "sudah 2 minggu",
    "sudah sebulan lebih",
    "sejak 3 bulan lalu",
    "dari awal tahun",
    "sudah berhari-hari",
    "sejak lebaran kemarin",
    "sudah hampir setahun",
    "dari minggu lalu",
)
GREETINGS = (
    "Assalamualaikum wr wb.",
    "Selamat pagi pak/bu.",
    "Selamat siang admin.",
    "Yth. Bapak Bupati Kutai Timur,",
    "Permisi min,",
    "Mohon maaf mengganggu.",
    "Salam sejahtera.",
    "Halo admin LAPOR,",
)
CLOSINGS = (
    "Terima kasih.",
    "Mohon segera ditindaklanjuti.",
    "Atas perhatiannya diucapkan terima kasih.",
    "Tolong diperhatikan pak.",
    "Kami tunggu responnya.",
    "Wassalam.",
    "Semoga cepat ditangani.",
    "Mohon perhatian pemerintah daerah.",
)
REGIONAL_WORDS = {"tidak": "kada", "saya": "ulun", "lama": "lawas", "bapak": "pian", "air": "banyu"}
"""Banjar/Kutai words Kutai Timur residents mix into Indonesian."""


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


PU = "PEKERJAAN UMUM DAN PENATAAN RUANG"
TRANTIB = "KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT"
ESDM = "ENERGI DAN SUMBER DAYA ALAM"
LH = "LINGKUNGAN HIDUP DAN KEHUTANAN"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "jalan_rusak",
        PU,
        "JALAN BERLUBANG",
        "pupr",
        12,
        ("jalan", "jalan poros", "jalan lingkungan", "jalan desa", "aspal jalan"),
        (
            "{obj} {lokasi} rusak parah dan berlubang {durasi}, kalau hujan jadi kubangan.",
            "Kondisi {obj} {lokasi} memprihatinkan, lubangnya dalam dan sudah banyak motor jatuh.",
            "{obj} {lokasi} {landmark} hancur {durasi} belum ada perbaikan sama sekali.",
            "Mohon perbaikan {obj} {lokasi}, aspalnya mengelupas dan berlubang besar.",
        ),
        ("Jalan rusak parah", "Jalan berlubang", "Perbaikan jalan"),
        suggestions=(
            "Usul agar {obj} {lokasi} dicor beton supaya tahan lama.",
            "Saran kami {obj} {lokasi} dilebarkan karena makin ramai.",
        ),
        questions=(
            "Kapan jadwal perbaikan {obj} {lokasi}?",
            "Apakah {obj} {lokasi} masuk anggaran perbaikan tahun ini?",
        ),
    ),
    Scenario(
        "drainase",
        PU,
        "DRAINASE (GORONG-GORONG/PARIT)",
        "pupr",
        7,
        ("saluran air", "parit", "drainase", "gorong-gorong"),
        (
            "{obj} {lokasi} tersumbat {durasi}, air meluap ke jalan tiap hujan.",
            "{obj} {landmark} {lokasi} dangkal dan penuh lumpur, rumah warga sering tergenang.",
            "Tolong normalisasi {obj} {lokasi}, baunya menyengat dan airnya tidak mengalir.",
        ),
        ("Saluran tersumbat", "Drainase buruk", "Parit meluap"),
        suggestions=("Usul dibangun {obj} baru {lokasi} karena belum ada sama sekali.",),
        questions=("Bagaimana cara mengajukan pembangunan {obj} {lokasi}?",),
    ),
    Scenario(
        "lampu_jalan",
        "PERHUBUNGAN",
        "LAMPU PENERANGAN JALAN UMUM",
        "dishub",
        5,
        ("lampu jalan", "PJU", "lampu penerangan jalan"),
        (
            "{obj} {lokasi} mati {durasi}, jalan gelap gulita dan rawan begal.",
            "Sudah lama {obj} {landmark} {lokasi} padam, warga takut lewat malam hari.",
            "{obj} {lokasi} kedip-kedip lalu mati, mohon diganti.",
        ),
        ("Lampu jalan mati", "PJU padam"),
        suggestions=("Mohon dipasang {obj} tambahan {lokasi} karena jalannya panjang dan gelap.",),
        questions=("Ke mana kami harus melapor kalau {obj} {lokasi} mati?",),
    ),
    Scenario(
        "parkir_angkutan",
        "PERHUBUNGAN",
        "PARKIR LIAR",
        "dishub",
        3,
        ("parkir liar", "truk angkutan batu bara", "angkutan umum"),
        (
            "Banyak {obj} {lokasi} {landmark} bikin macet setiap sore.",
            "{obj} {lokasi} memakai bahu jalan, membahayakan pengendara lain.",
        ),
        ("Parkir liar", "Truk parkir di jalan"),
        suggestions=("Usul dibuat rambu larangan parkir {lokasi}.",),
        questions=("Apakah ada aturan jam operasional {obj} {lokasi}?",),
    ),
    Scenario(
        "sampah",
        TRANTIB,
        "SAMPAH LIAR",
        "dlh",
        7,
        ("sampah", "tumpukan sampah", "TPS"),
        (
            "{obj} {lokasi} {landmark} tidak diangkut {durasi}, bau busuk dan banyak lalat.",
            "Warga membuang {obj} sembarangan {lokasi}, sudah menggunung dan menutup jalan.",
            "{obj} {lokasi} penuh dan berserakan, petugas jarang datang.",
        ),
        ("Sampah menumpuk", "Sampah tidak diangkut"),
        suggestions=(
            "Mohon disediakan {obj} dan jadwal angkut rutin {lokasi}.",
            "Usul ada bank sampah di {desa} supaya warga bisa memilah.",
        ),
        questions=("Jadwal pengangkutan {obj} {lokasi} hari apa saja?",),
    ),
    Scenario(
        "limbah",
        LH,
        "PENCEMARAN LINGKUNGAN",
        "dlh",
        3,
        ("limbah tambang", "limbah sawit", "asap pembakaran"),
        (
            "{obj} {lokasi} mencemari sungai, airnya keruh dan ikan mati.",
            "Ada {obj} {lokasi} yang bau sekali, warga sesak napas.",
        ),
        ("Pencemaran sungai", "Limbah perusahaan"),
        questions=("Bagaimana prosedur uji kualitas air akibat {obj} {lokasi}?",),
    ),
    Scenario(
        "air_pdam",
        ESDM,
        "GANGGUAN LAYANAN PENYALURAN AIR",
        "pdam",
        7,
        ("air PDAM", "air bersih", "pipa PDAM"),
        (
            "{obj} {lokasi} tidak mengalir {durasi}, tapi tagihan tetap datang.",
            "{obj} {lokasi} keruh dan berbau, tidak bisa dipakai masak.",
            "{obj} {landmark} {lokasi} bocor dan airnya terbuang percuma.",
        ),
        ("Air PDAM mati", "Air keruh", "Pipa bocor"),
        suggestions=("Usul jaringan {obj} diperluas sampai {desa}.",),
        questions=(
            "Berapa biaya pasang baru {obj} di {desa}?",
            "Bagaimana cara daftar sambungan {obj} di {desa}?",
        ),
    ),
    Scenario(
        "listrik_padam",
        ESDM,
        "PEMADAMAN LISTRIK",
        "pln",
        6,
        ("listrik", "aliran listrik", "lampu PLN"),
        (
            "{obj} {lokasi} padam berjam-jam hampir tiap hari, alat elektronik rusak.",
            "Pemadaman {obj} {lokasi} tanpa pemberitahuan {durasi}.",
            "{obj} {lokasi} sering byarpet, usaha kami rugi.",
        ),
        ("Listrik sering padam", "Pemadaman listrik"),
        suggestions=("Mohon jaringan {obj} masuk ke {desa} karena masih pakai genset.",),
        questions=("Apakah ada jadwal pemadaman {obj} {lokasi} minggu ini?",),
    ),
    Scenario(
        "ktp_kk",
        "KEPENDUDUKAN",
        "KTP (KARTU TANDA PENDUDUK)",
        "disdukcapil",
        7,
        ("e-KTP", "KTP", "kartu keluarga", "akta kelahiran", "KIA"),
        (
            "Sudah rekam {obj} {durasi} tapi belum jadi juga, katanya blangko habis.",
            "Pengurusan {obj} anak saya di disdukcapil dipersulit dan bolak-balik.",
            "Data {obj} saya salah nama dan tanggal lahir, sudah lapor belum diperbaiki.",
        ),
        ("KTP belum jadi", "Pengurusan KK lama"),
        suggestions=("Usul ada layanan jemput bola {obj} di kecamatan {kec}.",),
        questions=(
            "Bagaimana cara mengurus {obj} yang hilang?",
            "Apa saja syarat membuat {obj} untuk anak baru lahir?",
            "Apakah pembuatan {obj} bisa online?",
        ),
    ),
    Scenario(
        "bansos",
        "SOSIAL DAN KESEJAHTERAAN",
        "BANTUAN SOSIAL",
        "dinsos",
        7,
        ("bansos", "BLT", "PKH", "BPNT", "bantuan sembako"),
        (
            "Kami keluarga tidak mampu di {desa} tapi tidak pernah dapat {obj}.",
            "{obj} di {desa} salah sasaran, yang mampu dapat yang miskin tidak.",
            "{obj} saya belum cair {durasi}, padahal nama terdaftar.",
        ),
        ("Bansos tidak tepat sasaran", "Bantuan belum cair"),
        suggestions=("Usul pendataan ulang penerima {obj} di {desa} secara terbuka.",),
        questions=(
            "Bagaimana cara mendaftar sebagai penerima {obj}?",
            "Kapan {obj} tahap berikutnya dicairkan?",
        ),
    ),
    Scenario(
        "puskesmas",
        "KESEHATAN",
        "PELAYANAN KESEHATAN",
        "dinkes",
        5,
        ("puskesmas", "pustu", "posyandu"),
        (
            "Pelayanan {obj} {lokasi} lambat, antre dari pagi dokternya tidak ada.",
            "{obj} {lokasi} sering tutup di jam kerja, warga kesulitan berobat.",
            "Obat di {obj} {lokasi} sering kosong, disuruh beli di luar.",
        ),
        ("Pelayanan puskesmas buruk", "Obat kosong"),
        suggestions=("Usul {obj} {lokasi} buka 24 jam karena jauh dari rumah sakit.",),
        questions=("Jam berapa {obj} {lokasi} buka pada hari Sabtu?",),
    ),
    Scenario(
        "rsud",
        "KESEHATAN",
        "PELAYANAN RUMAH SAKIT",
        "rsud",
        3,
        ("RSUD Kudungga", "rumah sakit", "IGD rumah sakit"),
        (
            "Pelayanan di {obj} tidak ramah dan pasien lama menunggu kamar.",
            "Keluarga kami di {obj} disuruh bayar padahal pakai BPJS.",
        ),
        ("Pelayanan RSUD", "Pasien BPJS ditolak"),
        questions=("Apakah {obj} menerima rujukan pasien dari {kec}?",),
    ),
    Scenario(
        "bpjs",
        "KESEHATAN",
        "ADMINISTRASI BPJS KESEHATAN",
        "bpjs",
        3,
        ("BPJS", "kartu BPJS", "KIS"),
        (
            "{obj} saya tiba-tiba nonaktif padahal iuran dibayar pemerintah.",
            "Tagihan {obj} saya dobel, mohon dicek.",
        ),
        ("BPJS nonaktif",),
        questions=("Bagaimana cara mengaktifkan kembali {obj} yang nonaktif?",),
    ),
    Scenario(
        "sekolah",
        "PENDIDIKAN DAN KEBUDAYAAN",
        "SARANA DAN PRASARANA SEKOLAH",
        "disdikbud",
        5,
        ("gedung sekolah", "atap kelas", "SD negeri", "PPDB"),
        (
            "{obj} {lokasi} bocor dan hampir roboh, anak-anak belajar tidak nyaman.",
            "Pungutan di {obj} {lokasi} memberatkan orang tua murid.",
            "Guru di {obj} {lokasi} sering tidak masuk {durasi}.",
        ),
        ("Sekolah rusak", "Pungutan sekolah"),
        suggestions=("Usul dibangun perpustakaan di {obj} {lokasi}.",),
        questions=(
            "Kapan pendaftaran {obj} tahun ajaran baru dibuka?",
            "Apa syarat zonasi {obj} untuk warga {desa}?",
        ),
    ),
    Scenario(
        "tenaga_kerja",
        "KETENAGAKERJAAN",
        "HUBUNGAN INDUSTRIAL",
        "disnakertrans",
        4,
        ("perusahaan sawit", "kontraktor tambang", "perusahaan"),
        (
            "Gaji karyawan {obj} {lokasi} belum dibayar {durasi}.",
            "Saya di-PHK sepihak oleh {obj} tanpa pesangon.",
            "{obj} {lokasi} lebih banyak menerima pekerja dari luar daerah.",
        ),
        ("Gaji belum dibayar", "PHK sepihak"),
        suggestions=("Usul ada pelatihan kerja untuk pemuda {desa} agar bisa diterima {obj}.",),
        questions=(
            "Bagaimana cara membuat kartu kuning (AK1)?",
            "Apakah ada info lowongan di {obj} sekitar {kec}?",
        ),
    ),
    Scenario(
        "pertanian",
        "PERTANIAN DAN PETERNAKAN",
        "PUPUK DAN SARANA PERTANIAN",
        "distanak",
        3,
        ("pupuk subsidi", "bibit padi", "alsintan"),
        (
            "{obj} di {desa} langka dan harganya di atas HET.",
            "Kelompok tani {desa} belum menerima {obj} yang dijanjikan.",
        ),
        ("Pupuk langka",),
        suggestions=("Usul penyuluh pertanian rutin datang ke {desa}.",),
        questions=("Bagaimana cara kelompok tani mengajukan {obj}?",),
    ),
    Scenario(
        "perkebunan",
        "PERTANIAN DAN PETERNAKAN",
        "PERKEBUNAN",
        "disbun",
        2,
        ("kebun plasma", "harga TBS", "kebun sawit warga"),
        (
            "Bagi hasil {obj} di {desa} tidak jelas {durasi}.",
            "{obj} {desa} dirusak alat berat perusahaan.",
        ),
        ("Kebun plasma",),
        questions=("Berapa harga penetapan {obj} bulan ini?",),
    ),
    Scenario(
        "tanah",
        "POLITIK DAN HUKUM",
        "PERTANAHAN",
        "bpn",
        3,
        ("sertifikat tanah", "PTSL", "batas tanah"),
        (
            "Pengurusan {obj} saya {durasi} belum selesai di kantor pertanahan.",
            "Ada sengketa {obj} di {desa} dengan perusahaan.",
        ),
        ("Sertifikat tanah lama",),
        questions=("Apa syarat ikut program {obj} di {desa}?",),
    ),
    Scenario(
        "izin_usaha",
        "EKONOMI DAN KEUANGAN",
        "PERIZINAN USAHA",
        "dpmptsp",
        3,
        ("izin usaha", "NIB", "PBG"),
        (
            "Pengurusan {obj} di DPMPTSP lama sekali {durasi}.",
            "Sistem online {obj} sering error, tidak bisa upload berkas.",
        ),
        ("Izin usaha lama",),
        questions=(
            "Bagaimana cara mengurus {obj} untuk usaha warung?",
            "Berapa lama proses {obj} selesai?",
        ),
    ),
    Scenario(
        "pasar_harga",
        "PERLINDUNGAN KONSUMEN",
        "HARGA BARANG",
        "disperindag",
        3,
        ("gas elpiji 3 kg", "harga beras", "minyak goreng"),
        (
            "{obj} di {desa} langka dan dijual jauh di atas HET.",
            "Pangkalan {obj} {lokasi} menjual ke pengecer, warga tidak kebagian.",
        ),
        ("Gas elpiji langka", "Harga naik"),
        suggestions=("Usul ada operasi pasar {obj} di {kec}.",),
        questions=("Di mana pangkalan resmi {obj} di {kec}?",),
    ),
    Scenario(
        "satpol",
        TRANTIB,
        "KETERTIBAN UMUM",
        "satpolpp",
        4,
        ("PKL", "tempat hiburan malam", "bangunan liar", "balapan liar"),
        (
            "{obj} {lokasi} mengganggu ketertiban dan berisik sampai tengah malam.",
            "Banyak {obj} {lokasi} {landmark}, mohon ditertibkan.",
        ),
        ("Gangguan ketertiban",),
        suggestions=("Usul {obj} {lokasi} direlokasi ke tempat yang lebih tertata.",),
        questions=("Apa aturan jam operasional {obj} di {kec}?",),
    ),
    Scenario(
        "desa",
        "PEMBANGUNAN DESA, DAERAH TERTINGGAL, DAN TRANSMIGRASI",
        "DANA DESA",
        "dpmd",
        3,
        ("dana desa", "ADD", "BUMDes"),
        (
            "Penggunaan {obj} {desa} tidak transparan, warga tidak pernah diajak musyawarah.",
            "Pembangunan dari {obj} {desa} mangkrak {durasi}.",
        ),
        ("Dana desa tidak transparan",),
        suggestions=("Usul laporan {obj} {desa} dipasang di papan informasi.",),
        questions=("Bagaimana warga bisa melihat laporan {obj} {desa}?",),
    ),
    Scenario(
        "kecamatan_layanan",
        "SP4N-LAPOR!",
        "PELAYANAN PUBLIK",
        KECAMATAN_OFFICE,
        6,
        ("kantor camat", "pelayanan surat", "PATEN kecamatan"),
        (
            "Pelayanan {obj} {kec} lambat, surat pengantar saya {durasi} belum ditandatangani.",
            "Petugas {obj} {kec} sering tidak ada di tempat saat jam kerja.",
            "Pengurusan surat keterangan di {obj} {kec} dipungut biaya.",
        ),
        ("Pelayanan kecamatan lambat", "Surat keterangan lama"),
        suggestions=("Usul {obj} {kec} buka layanan sampai sore.",),
        questions=("Apa saja syarat surat keterangan domisili di {obj} {kec}?",),
    ),
    Scenario(
        "kecamatan_wilayah",
        PU,
        "PERMUKIMAN",
        KECAMATAN_OFFICE,
        3,
        ("jalan gang", "jembatan kayu", "siring"),
        (
            "{obj} {lokasi} lapuk dan berbahaya dilewati anak sekolah.",
            "{obj} {lokasi} rusak {durasi}, usulan musrenbang tidak pernah terealisasi.",
        ),
        ("Jalan gang rusak", "Jembatan kayu lapuk"),
        suggestions=("Usul perbaikan {obj} {lokasi} dimasukkan musrenbang kecamatan.",),
    ),
    Scenario(
        "kominfo",
        "TEKNOLOGI INFORMASI DAN KOMUNIKASI",
        "JARINGAN INTERNET",
        "diskominfo",
        3,
        ("sinyal internet", "wifi desa", "website pemkab"),
        (
            "{obj} di {desa} sangat lemah, anak susah sekolah daring.",
            "{obj} tidak bisa diakses {durasi}.",
        ),
        ("Sinyal lemah",),
        suggestions=("Usul dibangun tower {obj} di {desa}.",),
        questions=("Apakah ada program {obj} gratis untuk {desa}?",),
    ),
    Scenario(
        "asn",
        "POLITIK DAN HUKUM",
        "KEPEGAWAIAN",
        "bkpsdm",
        2,
        ("TPP ASN", "gaji honorer", "seleksi PPPK"),
        (
            "{obj} belum dibayar {durasi}.",
            "Pengumuman {obj} tidak transparan.",
        ),
        ("TPP belum cair",),
        questions=("Kapan jadwal {obj} dibuka?",),
    ),
    Scenario(
        "pajak",
        "EKONOMI DAN KEUANGAN",
        "PAJAK DAERAH",
        "bapenda",
        2,
        ("PBB", "pajak kendaraan", "BPHTB"),
        (
            "Tagihan {obj} saya naik berlipat tanpa penjelasan.",
            "Pembayaran {obj} online gagal tapi saldo terpotong.",
        ),
        ("Tagihan PBB naik",),
        questions=("Di mana bisa membayar {obj} selain di kantor Bapenda?",),
    ),
    Scenario(
        "agama",
        "AGAMA",
        "PENYEDIAAN FASILITAS IBADAH",
        "kemenag",
        1,
        ("bantuan masjid", "pendaftaran haji", "penyuluh agama"),
        ("Proposal {obj} di {desa} tidak ada kabar {durasi}.",),
        ("Bantuan rumah ibadah",),
        questions=("Bagaimana prosedur {obj} tahun ini?",),
    ),
    Scenario(
        "olahraga",
        "PENDIDIKAN DAN KEBUDAYAAN",
        "KEPEMUDAAN DAN OLAHRAGA",
        "dispora",
        1,
        ("lapangan bola", "gedung olahraga", "stadion"),
        ("{obj} {lokasi} tidak terawat, rumput tinggi dan lampu mati.",),
        ("Lapangan tidak terawat",),
        suggestions=("Usul diadakan turnamen pemuda di {obj} {lokasi}.",),
    ),
    Scenario(
        "koperasi",
        "EKONOMI DAN KEUANGAN",
        "UMKM",
        "diskopukm",
        2,
        ("bantuan modal UMKM", "pelatihan UMKM", "KUR"),
        ("{obj} untuk pelaku usaha di {desa} tidak merata.",),
        ("Bantuan UMKM",),
        suggestions=("Mohon diadakan {obj} di {kec} untuk ibu-ibu rumah tangga.",),
        questions=("Bagaimana cara mendapatkan {obj}?",),
    ),
    Scenario(
        "rumah_layak",
        PU,
        "PERUMAHAN",
        "perkim",
        2,
        ("bedah rumah", "RTLH", "PSU perumahan"),
        ("Rumah kami di {desa} tidak layak huni tapi tidak masuk program {obj}.",),
        ("Bedah rumah",),
        suggestions=("Usul program {obj} diprioritaskan untuk lansia di {desa}.",),
        questions=("Apa syarat mendapat bantuan {obj}?",),
    ),
    # --- urgent scenarios (with calm, non-urgent variants for negation) -----------------
    Scenario(
        "kebakaran",
        TRANTIB,
        "KEBAKARAN",
        "damkar",
        1.2,
        ("rumah warga", "ruko", "lahan kosong"),
        (
            "Tolong ada kebakaran {obj} {lokasi} sekarang, api makin besar, damkar belum datang!",
            "Kebakaran {obj} {lokasi} {landmark}, api merambat ke rumah sebelah, kirim bantuan!",
        ),
        ("KEBAKARAN", "Kebakaran rumah"),
        urgent_reason="fire",
        calm=(
            "Kebakaran {obj} {lokasi} minggu lalu sudah padam dan tidak ada korban, mohon bantuan "
            "untuk korban yang kehilangan tempat tinggal.",
            "Usul ditambah hidran dan pos damkar di {kec} karena jauh dari kota.",
        ),
    ),
    Scenario(
        "karhutla",
        LH,
        "KEBAKARAN HUTAN",
        "bpbd",
        0.6,
        ("lahan gambut", "hutan", "kebun"),
        ("Kebakaran {obj} {lokasi} meluas, asap tebal sampai ke permukiman, anak sesak napas!",),
        ("Karhutla",),
        urgent_reason="fire",
        calm=("Bekas kebakaran {obj} {lokasi} tahun lalu belum direhabilitasi.",),
    ),
    Scenario(
        "banjir",
        PU,
        "BANJIR",
        "bpbd",
        1.5,
        ("banjir", "air sungai", "luapan sungai"),
        (
            "{obj} {lokasi} sekarang sudah setinggi dada, warga terjebak di rumah, butuh perahu!",
            "Darurat, {obj} {lokasi} naik terus sejak subuh, ada lansia dan bayi belum dievakuasi.",
        ),
        ("BANJIR", "Banjir darurat"),
        urgent_reason="flood",
        calm=(
            "{obj} {lokasi} kemarin sudah surut, tidak ada korban, mohon normalisasi sungai.",
            "Usul dibangun tanggul supaya {obj} {lokasi} tidak terulang tiap tahun.",
        ),
    ),
    Scenario(
        "pohon_tumbang",
        LH,
        "POHON TUMBANG",
        "bpbd",
        0.8,
        ("pohon besar", "pohon tua"),
        (
            "{obj} tumbang {lokasi} menimpa kabel listrik dan menutup jalan, berbahaya!",
            "{obj} {lokasi} {landmark} tumbang menimpa rumah warga, mohon segera dievakuasi.",
        ),
        ("Pohon tumbang",),
        urgent_reason="tree",
        calm=("{obj} {lokasi} sudah miring, usul dipangkas sebelum musim hujan.",),
    ),
    Scenario(
        "kabel",
        ESDM,
        "SARANA/PRASARANA KELISTRIKAN",
        "pln",
        0.7,
        ("kabel listrik", "tiang listrik", "trafo"),
        (
            "{obj} {lokasi} putus menjuntai ke jalan dan mengeluarkan percikan api, bahaya!",
            "{obj} {lokasi} {landmark} korslet dan terbakar, anak-anak sering lewat situ.",
        ),
        ("Kabel listrik putus",),
        urgent_reason="electric",
        calm=("{obj} {lokasi} miring, mohon diperiksa, untuk sementara masih aman.",),
    ),
    Scenario(
        "lubang_bahaya",
        PU,
        "JALAN BERLUBANG",
        "pupr",
        0.6,
        ("jalan amblas", "longsor", "lubang besar"),
        (
            "Ada {obj} {lokasi} di tengah jalan poros tanpa tanda, tadi malam motor masuk dan "
            "pengendaranya luka parah!",
            "{obj} {lokasi} menutup setengah jalan, kendaraan hampir terperosok ke jurang.",
        ),
        ("Jalan amblas berbahaya",),
        urgent_reason="road_hazard",
        calm=("Bekas {obj} {lokasi} sudah ditimbun sementara, mohon perbaikan permanen.",),
    ),
    Scenario(
        "anak_hilang",
        TRANTIB,
        "KRIMINALITAS",
        "polres",
        0.4,
        ("anak perempuan", "anak laki-laki", "adik saya"),
        ("{obj} usia 9 tahun hilang sejak kemarin sore {lokasi}, belum ditemukan, mohon bantuan!",),
        ("Anak hilang",),
        urgent_reason="missing_person",
    ),
    Scenario(
        "kekerasan",
        "KESETARAAN GENDER DAN SOSIAL INKLUSIF",
        "KEKERASAN TERHADAP ANAK",
        "dp3a",
        0.5,
        ("anak tetangga", "seorang ibu", "anak tiri"),
        (
            "Saya sering mendengar {obj} {lokasi} dipukuli dan menjerit tiap malam, mohon segera "
            "ditolong.",
            "{obj} {lokasi} menjadi korban kekerasan dan diancam pelaku, takut melapor sendiri.",
        ),
        ("Kekerasan anak",),
        urgent_reason="violence",
        calm=("Usul diadakan sosialisasi pencegahan kekerasan pada {obj} di {desa}.",),
    ),
    Scenario(
        "medis",
        "KESEHATAN",
        "PELAYANAN GAWAT DARURAT",
        "rsud",
        0.5,
        ("pasien kritis", "ibu hamil pendarahan", "bapak saya sesak napas"),
        (
            "{obj} ditolak di IGD karena kamar penuh, kondisinya makin parah, tolong!",
            "{obj} {lokasi} butuh ambulans sekarang tapi tidak ada yang datang.",
        ),
        ("Pasien ditolak IGD",),
        urgent_reason="medical",
    ),
    Scenario(
        "buaya_ular",
        "EVAKUASI HEWAN LIAR",
        "EVAKUASI HEWAN LIAR",
        "damkar",
        0.5,
        ("buaya", "ular piton", "sarang tawon"),
        (
            "Ada {obj} besar {lokasi} {landmark} dekat anak-anak bermain, mohon dievakuasi segera!",
            "{obj} masuk ke rumah warga {lokasi}, warga panik.",
        ),
        ("Evakuasi buaya",),
        urgent_reason="animal",
        calm=("Dulu pernah ada {obj} {lokasi}, usul dipasang papan peringatan.",),
    ),
    Scenario(
        "jembatan_ambruk",
        PU,
        "JEMBATAN",
        "pupr",
        0.4,
        ("jembatan", "jembatan gantung", "turap sungai"),
        ("{obj} {lokasi} retak besar dan mulai ambruk, masih dilewati kendaraan, bahaya!",),
        ("Jembatan hampir ambruk",),
        urgent_reason="structure",
        calm=("Cat {obj} {lokasi} sudah kusam, usul dicat ulang.",),
    ),
    Scenario(
        "odgj",
        "SOSIAL DAN KESEJAHTERAAN",
        "PENYANDANG MASALAH KESEJAHTERAAN SOSIAL",
        "dinsos",
        0.4,
        ("ODGJ", "orang dengan gangguan jiwa", "lansia terlantar"),
        ("Ada {obj} mengamuk membawa parang {lokasi}, warga ketakutan, mohon segera ditangani.",),
        ("ODGJ mengamuk",),
        urgent_reason="person_in_crisis",
        calm=("Mohon {obj} di {desa} didata untuk program bantuan sosial.",),
    ),
)


# --- noise --------------------------------------------------------------------------------


@cache
def _slang_variants() -> dict[str, tuple[str, ...]]:
    """Standard word -> informal spellings, the inverse of the normaliser's dictionary."""
    variants: dict[str, list[str]] = {}
    for slang, standard in slang_dictionary().items():
        if " " not in slang and " " not in standard and slang.isalpha():
            variants.setdefault(standard, []).append(slang)
    return {k: tuple(v) for k, v in variants.items()}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _informal(text: str, rng: random.Random, regional: bool) -> str:
    """Rewrite a clean sentence the way many citizens type: slang, typos, lower case."""
    variants = _slang_variants()
    slang_rate = rng.choice((0.0, 0.15, 0.35, 0.6))
    typo_rate = rng.choice((0.0, 0.01, 0.03))
    words = []
    for word in text.split(" "):
        core = word.strip(".,!?").lower()
        tail = word[len(word.rstrip(".,!?")) :]
        if regional and core in REGIONAL_WORDS and rng.random() < 0.5:
            word = REGIONAL_WORDS[core] + tail
        elif core in variants and rng.random() < slang_rate:
            word = rng.choice(variants[core]) + tail
        elif rng.random() < typo_rate:
            word = _typo(word, rng)
        words.append(word)
    text = " ".join(words)
    style = rng.random()
    if style < 0.45:
        text = text.lower()
    elif style < 0.5:
        text = text.upper()
    if rng.random() < 0.25:
        text = text.replace(".", "").replace(",", "")
    if rng.random() < 0.1:
        text = text.rstrip("!.") + rng.choice(("!!!", " pakkk", " tolonggg", "??"))
    return text


# --- time ---------------------------------------------------------------------------------

_WEEKDAY_WEIGHTS = np.array([1.0, 1.05, 1.0, 0.95, 0.85, 0.5, 0.4])
_HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 3.2, 3.0, 2.6, 2.0, 2.4, 2.5, 2.2, 1.8, 1.4,
     1.3, 1.8, 2.0, 1.6, 1.0, 0.5]
)  # fmt: skip


def intake_times(n: int, start: datetime, end: datetime, seed: int) -> np.ndarray:
    """``n`` sorted intake timestamps (epoch seconds) with weekday and hour-of-day patterns."""
    rng = np.random.default_rng(seed)
    days = np.arange(np.datetime64(start.date()), np.datetime64(end.date()) + 1)
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    day_p = _WEEKDAY_WEIGHTS[weekday]
    chosen_days = rng.choice(len(days), size=n, p=day_p / day_p.sum())
    hours = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    seconds = rng.integers(0, 3600, size=n)
    epoch_days = days.astype("datetime64[D]").view("int64")[chosen_days]
    stamps = epoch_days * 86_400 + hours * 3600 + seconds
    stamps.sort()
    return stamps


# --- reports ------------------------------------------------------------------------------


@dataclass
class _Problem:
    """A concrete problem instance, remembered so that later reports can repeat it."""

    scenario: Scenario
    obj: str
    district: str
    village: str
    address: str
    landmark: str
    report_id: str
    created_at: datetime
    urgent: bool


@dataclass
class DemoGenerator:
    """Streams synthetic Kutai Timur reports; the same seed always gives the same rows."""

    seed: int = 42
    start: datetime = datetime(2024, 1, 1)
    end: datetime = datetime(2025, 12, 31)
    duplicate_rate: float = 0.08
    urgent_rate: float = 0.05
    id_prefix: str = "KTM"

    def generate(self, n: int) -> Iterator[dict]:
        """Yield ``n`` report rows (dicts keyed by the schema's field names) in intake order."""
        rng = random.Random(self.seed)
        stamps = intake_times(n, self.start, self.end, self.seed)
        routine = [s for s in SCENARIOS if s.urgent_reason is None]
        urgent = [s for s in SCENARIOS if s.urgent_reason is not None]
        routine_w = [s.weight for s in routine]
        urgent_w = [s.weight for s in urgent]
        districts = list(KECAMATAN_VILLAGES)
        district_w = [_KECAMATAN_WEIGHTS.get(d, 0.8) for d in districts]
        recent: deque[_Problem] = deque(maxlen=400)
        for index, stamp in enumerate(stamps.tolist()):
            created = datetime(1970, 1, 1) + timedelta(seconds=stamp)
            report_id = f"{self.id_prefix}-{index + 1:07d}"
            earlier = self._pick_repeat(recent, created, rng)
            if earlier is not None:
                row = self._repeat(earlier, report_id, created, rng)
            else:
                pool, weights = (
                    (urgent, urgent_w) if rng.random() < self.urgent_rate else (routine, routine_w)
                )
                scenario = rng.choices(pool, weights)[0]
                district = rng.choices(districts, district_w)[0]
                problem = _Problem(
                    scenario=scenario,
                    obj=rng.choice(scenario.objects),
                    district=district,
                    village=rng.choice(KECAMATAN_VILLAGES[district]),
                    address=self._address(rng),
                    landmark=rng.choice(LANDMARKS),
                    report_id=report_id,
                    created_at=created,
                    urgent=False,
                )
                row = self._first_report(problem, rng)
                problem.urgent = bool(row["urgent"])
                if row["channel"] == "pengaduan":
                    recent.append(problem)
            self._add_history(row, created, rng)
            yield row

    # -- building blocks -----------------------------------------------------------------

    @staticmethod
    def _address(rng: random.Random) -> str:
        if rng.random() < 0.25:
            return f"Gg. {rng.choice(GANGS)} RT {rng.randint(1, 40):02d}"
        return f"Jl. {rng.choice(STREETS)} RT {rng.randint(1, 40):02d}"

    def _pick_repeat(
        self, recent: deque[_Problem], created: datetime, rng: random.Random
    ) -> _Problem | None:
        if not recent or rng.random() >= self.duplicate_rate:
            return None
        candidates = [
            p for p in recent if timedelta(hours=2) < created - p.created_at < timedelta(days=45)
        ]
        return rng.choice(candidates) if candidates else None

    def _fill(self, template: str, problem: _Problem, rng: random.Random) -> str:
        place = rng.choice(
            (
                f"di {problem.address} Desa {problem.village}",
                f"di {problem.village} Kec. {problem.district}",
                f"di {problem.address}, {problem.village}",
                f"di desa {problem.village}",
            )
        )
        text = template.format(
            obj=problem.obj,
            lokasi=place,
            landmark=problem.landmark,
            durasi=rng.choice(DURATIONS),
            desa=problem.village,
            kec=problem.district,
        )
        return text[0].upper() + text[1:]

    def _compose(self, body: str, rng: random.Random) -> str:
        parts = []
        if rng.random() < 0.45:
            parts.append(rng.choice(GREETINGS))
        parts.append(body)
        if rng.random() < 0.55:
            parts.append(rng.choice(CLOSINGS))
        return _informal(" ".join(parts), rng, regional=rng.random() < 0.12)

    def _labels(self, problem: _Problem, channel: str, urgent: bool) -> dict:
        scenario = problem.scenario
        agency_key = scenario.agency
        agency = (
            f"Kecamatan {problem.district}" if agency_key == KECAMATAN_OFFICE else OPD[agency_key]
        )
        return {
            "channel": channel,
            "topic": scenario.topic,
            "subtopic": scenario.subtopic,
            "agency": agency,
            "urgent": urgent,
            "urgent_reason": scenario.urgent_reason if urgent else None,
            "source_topic": scenario.key,
        }

    def _first_report(self, problem: _Problem, rng: random.Random) -> dict:
        scenario = problem.scenario
        roll = rng.random()
        urgent = False
        if scenario.urgent_reason is not None:
            if scenario.calm and roll < 0.3:
                template = rng.choice(scenario.calm)
                channel = "aspirasi" if template.lower().startswith("usul") else "pengaduan"
            else:
                template, channel, urgent = rng.choice(scenario.complaints), "pengaduan", True
        elif scenario.suggestions and roll < 0.12:
            template, channel = rng.choice(scenario.suggestions), "aspirasi"
        elif scenario.questions and roll < 0.25:
            template, channel = rng.choice(scenario.questions), "permintaan_informasi"
        else:
            template, channel = rng.choice(scenario.complaints), "pengaduan"
        return self._row(problem, template, channel, urgent, None, rng)

    def _repeat(
        self, earlier: _Problem, report_id: str, created: datetime, rng: random.Random
    ) -> dict:
        """The same problem reported again, in other words, by someone else."""
        templates = earlier.scenario.complaints
        prefix = rng.choice(
            ("", "", "Sudah pernah dilaporkan tapi belum ada tindakan. ", "Melaporkan lagi, ")
        )
        problem = _Problem(**{**earlier.__dict__, "report_id": report_id, "created_at": created})
        row = self._row(
            problem,
            prefix + rng.choice(templates),
            "pengaduan",
            earlier.urgent,
            earlier.report_id,
            rng,
        )
        return row

    def _row(
        self,
        problem: _Problem,
        template: str,
        channel: str,
        urgent: bool,
        duplicate_of: str | None,
        rng: random.Random,
    ) -> dict:
        source = rng.choices(SOURCE_CHOICES, SOURCE_WEIGHTS)[0]
        title = None
        if source in ("web", "android") and rng.random() < 0.7:
            title = rng.choice(problem.scenario.titles)
        row = dict.fromkeys(REPORT_FIELDS)
        row.update(
            id=problem.report_id,
            title=title,
            text=self._compose(self._fill(template, problem, rng), rng),
            created_at=problem.created_at,
            source=source,
            province=PROVINCE,
            regency=REGENCY,
            district=problem.district,
            village=problem.village,
            address=problem.address,
            duplicate_of=duplicate_of,
            **self._labels(problem, channel, urgent),
        )
        return row

    def _add_history(self, row: dict, created: datetime, rng: random.Random) -> None:
        """Disposition, follow-up and closing times as seen at the end of the period."""
        hours = rng.lognormvariate(2.6 if row["urgent"] else 3.3, 0.9)
        dispositioned = created + timedelta(hours=hours)
        responded = dispositioned + timedelta(hours=rng.lognormvariate(4.2, 0.8))
        closed = responded + timedelta(days=10)
        row["status"] = "new"
        if dispositioned <= self.end and rng.random() > 0.02:
            row["dispositioned_at"], row["status"] = dispositioned, "dispositioned"
            if responded <= self.end and rng.random() > 0.05:
                row["responded_at"], row["status"] = responded, "responded"
                if closed <= self.end:
                    row["closed_at"], row["status"] = closed, "closed"


SOURCE_CHOICES = ("web", "android", "whatsapp", "sms", "social")
SOURCE_WEIGHTS = (0.35, 0.3, 0.2, 0.05, 0.1)


def generate(n: int, seed: int = 42) -> Iterator[dict]:
    """``n`` synthetic Kutai Timur reports for the given seed (see :class:`DemoGenerator`)."""
    return DemoGenerator(seed=seed).generate(n)
