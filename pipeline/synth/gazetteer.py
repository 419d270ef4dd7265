"""Kabupaten Kutai Timur as the demo deployment knows it: kecamatan and villages, streets,
landmarks, its OPD and the vertical agencies it forwards to."""

from __future__ import annotations

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
    "Kombeng": ("Miau Baru", "Kombeng Indah", "Sri Pantun", "Marga Mulya", "Sukamaju"),
    "Muara Wahau": ("Wahau Baru", "Nehes Liah Bing", "Diaq Lay", "Jak Luay", "Long Wehea"),
    "Telen": ("Long Segar", "Juk Ayaq", "Muara Pantun", "Long Noran", "Marah Haloq"),
    "Muara Ancalong": ("Kelinjau Ulu", "Kelinjau Ilir", "Senyiur", "Gemar Baru", "Long Tesak"),
    "Busang": ("Long Bentuq", "Long Lees", "Mekar Baru", "Long Pejeng", "Long Nyelong"),
    "Long Mesangat": ("Sumber Agung", "Sumber Sari", "Melan", "Sika Makmur", "Mukti Utama"),
    "Muara Bengkal": ("Muara Bengkal Ilir", "Muara Bengkal Ulu", "Ngayau", "Mulupan", "Senambah"),
    "Batu Ampar": ("Batu Timbau", "Himba Lestari", "Mawai Indah", "Telaga", "Beno Harapan"),
}
"""The 18 kecamatan of Kutai Timur with some of their villages, spelled as Kemendagri does
(the deployment's gazetteer, :mod:`pipeline.deployment`)."""

KECAMATAN_WEIGHTS = {
    "Sangatta Utara": 9.0,
    "Sangatta Selatan": 4.0,
    "Teluk Pandan": 2.0,
    "Rantau Pulung": 1.5,
    "Bengalon": 2.5,
    "Muara Wahau": 2.0,
    "Sangkulirang": 1.5,
    "Kombeng": 1.2,
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
