"""The personal-data table: texts whose personal data must be masked (with the exact masked
text), and texts that must be left exactly as written (dates, money, places, coordinates, ...).
Every value is made up. Read by tests/core/test_masking.py and benchmarks/masking.py."""

from __future__ import annotations

ZWSP = "\u200b"

MASKED: list[tuple[str, str]] = [
    # NIK / KK: 16 digits, grouped in many ways
    ("NIK saya 3578012345670001", "NIK saya [NIK]"),
    ("KK 3578 0123 4567 0002 hilang", "KK [NIK] hilang"),
    ("nik 35.78.01.234567.0001", "nik [NIK]"),
    ("NIK 6408  0123  4567  0001 ya", "NIK [NIK] ya"),
    ("NIK 6408 - 0123 - 4567 - 0001", "NIK [NIK]"),
    ("NIK 6408/0123/4567/0001", "NIK [NIK]"),
    (f"NIK 6408{ZWSP}0123{ZWSP}4567{ZWSP}0001", "NIK [NIK]"),
    ("no KTP: 6408012345670001.", "no KTP: [NIK]."),
    ("NIK ６４０８０１２３４５６７０００１", "NIK [NIK]"),
    # mobile phones
    ("hubungi 081234567890", "hubungi [TELEPON]"),
    ("WA 0812-3456-7890 ya", "WA [TELEPON] ya"),
    ("telp +62 812 3456 7890", "telp [TELEPON]"),
    ("no 6281234567890", "no [TELEPON]"),
    ("hp (+62) 813 7766 5544", "hp [TELEPON]"),
    ("hp +62 (0)813 7766 5544", "hp [TELEPON]"),
    ("hp 0813  7766  5544", "hp [TELEPON]"),
    ("hp 0813/7766/5544", "hp [TELEPON]"),
    ("hp 0813.7766.5544", "hp [TELEPON]"),
    ("HP.081377665544", "HP.[TELEPON]"),
    ("WA:+6281377665544", "WA:[TELEPON]"),
    ("hp 62-812-3456-7890", "hp [TELEPON]"),
    ("kontak 0812 3456 789", "kontak [TELEPON]"),
    # landlines
    ("kantor (031) 5312144", "kantor [TELEPON]"),
    ("kantor 0549-21234", "kantor [TELEPON]"),
    ("telp rumah 0549 21234", "telp rumah [TELEPON]"),
    ("telp +62 549 21234", "telp [TELEPON]"),
    ("telp (0549) 21234", "telp [TELEPON]"),
    # e-mail, also written to dodge scrapers
    ("email budi.santoso@gmail.com ya", "email [EMAIL] ya"),
    ("surel warga_01@desa.go.id", "surel [EMAIL]"),
    ("BUDI.SANTOSO@GMAIL.COM", "[EMAIL]"),
    ("kirim ke budi @ example.net", "kirim ke [EMAIL]"),
    ("kirim ke budi [at] example [dot] net", "kirim ke [EMAIL]"),
    ("kirim ke budi(at)example.net", "kirim ke [EMAIL]"),
    ("kirim ke budi (at) example (dot) co (dot) id", "kirim ke [EMAIL]"),
    ("kirim ke budi＠example.net", "kirim ke [EMAIL]"),
    # bank accounts
    ("no rek BRI 1234 5678 9012 345", "no rek BRI [REKENING]"),
    ("transfer ke rekening 1234567890", "transfer ke rekening [REKENING]"),
    ("norek: 0987654321", "norek: [REKENING]"),
    ("transfer ke 123-456-7890 a.n. dinas", "transfer ke [REKENING] a.n. dinas"),
    ("rekening BCA 123-456-7890", "rekening BCA [REKENING]"),
    ("rek. mandiri 123-00-0456789-0", "rek. mandiri [REKENING]"),
    ("transfer ke BNI 0123456789", "transfer ke BNI [REKENING]"),
    # other identifiers: a long run of digits
    ("nomor pelanggan 12345678901234", "nomor pelanggan [NOMOR]"),
    ("ID pelanggan PLN 532100123456", "ID pelanggan PLN [NOMOR]"),
    # NIK split by other spaces, dashes and marks, or after a money word
    ("NIK 6408\u00a00199\u00a01177\u00a00001", "NIK [NIK]"),
    ("NIK 6408\u202f0199\u202f1177\u202f0002", "NIK [NIK]"),
    ("NIK 6408\u20090199\u20091177\u20090003", "NIK [NIK]"),
    ("NIK 6408\u30000199\u30001177\u30000004", "NIK [NIK]"),
    ("NIK 6408\u20130199\u20131177\u20130005", "NIK [NIK]"),
    ("NIK 6408_0199_1177_0006", "NIK [NIK]"),
    ("NIK 6408,0199,1177,0007", "NIK [NIK]"),
    ("NIK 6408\n0199\n1177\n0008", "NIK [NIK]"),
    ("NIK 6408   0199   1177   0009", "NIK [NIK]"),
    ("NIK 6408.0199-1177 0003", "NIK [NIK]"),
    ("bantuan Rp 6408019911770010 belum cair", "bantuan Rp [NIK] belum cair"),
    ("dana 6408019911770011 ditahan", "dana [NIK] ditahan"),
    ("6408019911770012 juta orang", "[NIK] juta orang"),
    # phones written with mixed or unusual separators
    ("hp 0812-9911 7701", "hp [TELEPON]"),
    ("hp (0812) 9911-7702", "hp [TELEPON]"),
    ("hp +62 (812) 9911 7703", "hp [TELEPON]"),
    ("hp 0812\u00a09911\u00a07704", "hp [TELEPON]"),
    ("hp 0812\u20139911\u20137705", "hp [TELEPON]"),
    ("hp 0 8 1 2 9 9 1 1 7 7 0 6", "hp [TELEPON]"),
    # e-mails spelled out
    ("email budi at example dot id", "email [EMAIL]"),
    ("email budi @ example . id", "email [EMAIL]"),
    ("email budi{at}example.id", "email [EMAIL]"),
    ("email budi[@]example.id", "email [EMAIL]"),
    # an account after "transfer" and a bank
    ("transfer BRI 1234-5678-90", "transfer BRI [REKENING]"),
    # names the text introduces
    ("nama saya Budi Santoso, warga RT 03", "nama saya [NAMA], warga RT 03"),
    ("Nama: Siti Aminah", "Nama: [NAMA]"),
    ("nama saya budi tinggal di Sangatta", "nama saya [NAMA] tinggal di Sangatta"),
    ("dikirim atas nama Ahmad Fauzi kemarin", "dikirim atas nama [NAMA] kemarin"),
    ("rekening a.n. Dewi Lestari", "rekening a.n. [NAMA]"),
    ("Bapak Joko Susilo selaku pelapor", "Bapak [NAMA] selaku pelapor"),
    ("ibu Rina selaku pelapor meminta", "ibu [NAMA] selaku pelapor meminta"),
    # several kinds in one text
    (
        "Sy Budi (NIK 3578012345670001, HP 081298765432, budi@mail.com) RT 02 tgl 01-02-2024",
        "Sy Budi (NIK [NIK], HP [TELEPON], [EMAIL]) RT 02 tgl 01-02-2024",
    ),
]

KEPT: list[str] = [
    # dates and times
    "tanggal 21-01-2022 jam 09.30",
    "tgl 21/01/2022",
    "pada 08/12/2024 pukul 08.30",
    "tanggal 2024-12-08 08:30:15",
    "waktu kejadian 20241208083015",
    "dicatat 202412080830",
    "tanggal 1 Desember 2024",
    "pukul 08.00-16.00 WITA",
    "jam 07.15 WIB",
    "sejak tahun 2019",
    "tahun anggaran 2023/2024",
    "2 x 24 jam",
    "sudah 3 bulan 2 minggu",
    # places and addresses
    "RT 05 RW 03",
    "RT.005/RW.003",
    "rumah No. 23A",
    "Jl. Yos Sudarso No. 123 RT 12",
    "jalan km 12",
    "KM 35+200",
    "kode pos 75611",
    # coordinates (where the problem is: routing evidence)
    "lokasi -0.5123456789, 117.1234567890",
    "titik -0.502106, 117.153709",
    "koordinat 0.5123456789 LU 117.1234567890 BT",
    # money
    "biaya Rp 1.500.000",
    "Rp1500000 per bulan",
    "Rp 628.000.000 untuk proyek",
    "IDR 15.000.000.000 anggaran",
    "anggaran 1.234.567.890.123.456 rupiah",
    "dana desa 1500000000",
    "dana Rp. 2.000.000.000,00",
    "IDR 1,500,000,000",
    "nilai kontrak 1.234.567.890 rupiah",
    "APBD 2024 sebesar 2.345.678.901.234 rupiah",
    "pagu 12500000000 untuk jalan",
    "dana BOS Rp 150.000.000 tahun 2024",
    "anggaran 2,5 miliar rupiah",
    # documents and measures
    "Perda No. 12 Tahun 2021",
    "SK Bupati Nomor 188.45/123/2023",
    "nomor surat 045/123/DPUPR/2024",
    "NPSN 30401234",
    "luas 2.500 m2",
    "panjang jalan 1,5 km",
    "sebanyak 1.000.000 jiwa",
    "kecepatan 120 km/jam",
    "suhu 38,5 derajat",
    # two dates side by side, and names that are not a person's
    "berlaku 21/01/2022 12/03/2023",
    "periode 2022-01-21 2023-03-12",
    "surat atas nama Dinas Pekerjaan Umum",
    "a.n. Kepala Desa Sepaso",
    "nama jalan Yos Sudarso rusak",
    "nama desa Sangatta Utara",
    "transfer ke rekening desa sudah dilakukan",
]
