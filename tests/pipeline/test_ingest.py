"""Importers: formats, containers, joins, and bad input reported by row while the rest imports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from core.errors import IngestError
from pipeline.ingest.containers import write_rows
from pipeline.ingest.mapping import parse_datetime, parse_mapping
from pipeline.ingest.reader import ReportReader, read_reports, reports_frame
from pipeline.synth.generator import generate

LAPOR_HEADER = (
    "id,JudulLaporan,IsiLaporan,DisposisiInstansi,DisposisiInstansiID,Kategori,KategoriID,Status,"
    "Area,AreaID,TanggalLaporanMasuk,TanggalDisposisi,TanggalLaporanDitutup,"
    "TanggalLaporanAktivitasTerakhir\n"
)
SURABAYA_HEADER = (
    "id,keluhan,alamat,tanggal_keluhan,tanggal_ditanggapi,response_hours,"
    "group_hari_respon_keluhan,topik_id,topik,jenis_topik,instansi_id,instansi,kecamatan,kelurahan\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def lapor_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "lapor.csv",
        LAPOR_HEADER
        + '1,Jalan rusak,"Jalan desa rusak, mohon diperbaiki",Dinas PU,10,Kesehatan,5,Selesai,'
        "Sindang Jaya,3,7/1/2015 10:27:00,11/2/2015 10:30:00,25/2/2015 01:00:00,"
        "25/2/2015 01:00:00\n"
        "2,Bantuan,Bantuan siswa belum cair,Dinas Pendidikan,11,Bantuan Siswa,6,Proses,"
        "Nasional,4,13/1/2015 08:00:00,,,\n",
    )


def test_lapor_export_with_day_first_dates(lapor_file: Path) -> None:
    reports, stats = read_reports(lapor_file, "lapor")
    assert stats.rows_imported == 2
    first, second = reports
    assert first.title == "Jalan rusak"
    assert first.created_at == datetime(2015, 1, 7, 10, 27)
    assert first.dispositioned_at == datetime(2015, 2, 11, 10, 30)
    assert first.closed_at == datetime(2015, 2, 25, 1, 0)
    assert first.status == "closed"
    assert first.agency == "Dinas PU"
    assert first.topic == "KESEHATAN"  # the source's category is itself a LAPOR! category
    assert second.topic is None
    assert second.source_topic == "Bantuan Siswa"
    assert second.status == "dispositioned"


def test_auto_detects_format(lapor_file: Path) -> None:
    assert ReportReader(lapor_file).format.name == "lapor-2015"
    assert ReportReader(lapor_file, "lapor").format.name == "lapor-2015"  # either layout


@pytest.fixture
def surabaya_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "sby.csv",
        SURABAYA_HEADER
        + "101,saluran mampet\\nbau sekali,jl. contoh 1,2022-03-01 09:00:00,2022-03-01 12:00:00,3,"
        "< 1 Hari,1.0,Saluran Air,fisik,4,Dinas A,Tegalsari,Kedungdoro\n"
        "102,minta info KTP,jl. contoh 2,2022-03-02 10:00:00,,,,,Topik Baru,administratif,5,"
        "Dinas B,Genteng,Embong Kaliasin\n",
    )


def test_surabaya_export_with_labels_and_topic_map(surabaya_file: Path, tmp_path: Path) -> None:
    labels = write(
        tmp_path / "labels.csv",
        "id,channel,urgent,urgent_reason,sampled_by\n101,pengaduan,0,,random\n"
        "102,permintaan_informasi,0,,cue\n999,aspirasi,1,fire,random\n",
    )
    topic_map = write(
        tmp_path / "topics.csv",
        "topik,lapor_category\nSaluran Air,PEKERJAAN UMUM DAN PENATAAN RUANG\n",
    )
    reader = ReportReader(surabaya_file, "surabaya", labels=labels, topic_map=topic_map)
    reports = list(reader)
    assert [r.id for r in reports] == ["101", "102"]
    assert reports[0].text == "saluran mampet\nbau sekali"
    assert reports[0].regency == "Kota Surabaya"
    assert reports[0].topic == "PEKERJAAN UMUM DAN PENATAAN RUANG"
    assert reports[0].responded_at == datetime(2022, 3, 1, 12)
    assert reports[0].channel == "pengaduan"
    assert reports[0].urgent is False
    assert reports[1].channel == "permintaan_informasi"
    assert reports[1].topic is None
    assert reader.stats.dropped_labels["topic not in topic map"] == 1
    assert reader.stats.labels_joined == 2
    assert reader.stats.labels_unmatched == 1
    assert reader.ignored_label_columns == ["sampled_by"]


def test_bad_rows_are_reported_by_number_and_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        "id,text,created_at,channel\n"
        "a,laporan pertama,2024-01-01,pengaduan\n"
        "b,   ,2024-01-02,pengaduan\n"
        "c,laporan ketiga,kemarin sore,pengaduan\n"
        "a,laporan keempat,2024-01-04,pengaduan\n"
        "e,laporan kelima,2024-01-05,pengaduan,extra,fields\n"
        "f,laporan keenam,2024-01-06,curhat\n"
        "\n"
        "g,laporan ketujuh,06/01/2024,aspirasi\n",
    )
    reports, stats = read_reports(path, "csv")
    assert [r.id for r in reports] == ["a", "f", "g"]
    assert reports[1].channel is None  # a bad label is dropped, the report is kept
    assert reports[2].created_at == datetime(2024, 1, 6)
    assert stats.rows_read == 7
    assert stats.rows_skipped == 4
    reasons = {issue.row: issue.reason for issue in stats.issues}
    assert "empty text" in reasons[2]
    assert "unparseable date 'kemarin sore'" in reasons[3]
    assert "duplicate id 'a' (first at row 1)" in reasons[4]
    assert "6 fields, header has 4" in reasons[5]
    assert "unknown channel 'curhat'" in reasons[6]
    assert stats.skipped == {
        "empty text": 1,
        "unparseable date": 1,
        "duplicate id": 1,
        "wrong number of fields": 1,
    }
    assert stats.dropped_labels == {"invalid channel": 1}


def test_missing_required_column_is_named(tmp_path: Path, lapor_file: Path) -> None:
    path = write(tmp_path / "x.csv", "id,isi,tanggal\n1,teks,2024-01-01\n")
    with pytest.raises(
        IngestError, match=r"required column 'text' \(field 'text'\) not found.*isi"
    ):
        ReportReader(path, "csv")
    with pytest.raises(IngestError, match="required column 'keluhan'"):
        ReportReader(lapor_file, "surabaya")


def test_generic_mapping_options_and_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.tsv", "no\tisi\ttanggal\topd\n7\tlampu mati\t2024-02-01 08:00\tDishub\n"
    )
    mapping = parse_mapping(["no=id", "isi=text", "tanggal=created_at"])
    reports, _ = read_reports(path, "csv", mapping=mapping)
    assert (reports[0].id, reports[0].text, reports[0].agency) == ("7", "lampu mati", None)
    mapping_file = write(tmp_path / "map.json", json.dumps({"isi": "text", "opd": "agency"}))
    reports, _ = read_reports(path, "csv", mapping=parse_mapping(["no=id"], mapping_file))
    assert reports[0].agency == "Dishub"
    csv_map = write(tmp_path / "map.csv", "source_column,field\nisi,text\n")
    assert parse_mapping((), csv_map) == {"isi": "text"}


def test_bad_mapping_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="unknown field.*teks"):
        parse_mapping(["isi=teks"])
    with pytest.raises(IngestError, match="expected SOURCE_COLUMN=FIELD"):
        parse_mapping(["isi"])
    path = write(tmp_path / "x.csv", "isi\nhalo\n")
    with pytest.raises(IngestError, match="mapped column.*'judul' not in the file"):
        ReportReader(path, "csv", mapping={"judul": "title", "isi": "text"})


def test_non_utf8_bytes_are_replaced_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,text\n1,jalan rusak di gang caf\xe9 dan \xe8\n2,ok\n".encode("latin-1"))
    reports, stats = read_reports(path, "csv")
    assert len(reports) == 2
    assert stats.replaced_characters == 2
    assert "\ufffd" in reports[0].text


def test_semicolon_delimited_csv_is_sniffed(tmp_path: Path) -> None:
    path = write(tmp_path / "semi.csv", "id;text;created_at\n1;jalan rusak, berlubang;2024-01-01\n")
    reports, _ = read_reports(path, "csv")
    assert reports[0].text == "jalan rusak, berlubang"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.csv", "no such file"),
        ("data.docx", "unsupported file type"),
        ("empty.csv", "empty"),
    ],
)
def test_unreadable_inputs_are_one_clear_error(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "data.docx").write_text("x")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(IngestError, match=message):
        ReportReader(tmp_path / name)


def test_unknown_format_is_one_clear_error(lapor_file: Path) -> None:
    with pytest.raises(IngestError, match="unknown format 'sap'"):
        ReportReader(lapor_file, "sap")


def test_corrupt_parquet_is_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.parquet", "not parquet at all")
    with pytest.raises(IngestError, match="cannot read as parquet"):
        ReportReader(path)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_write_and_read_round_trip(tmp_path: Path, suffix: str) -> None:
    rows = list(generate(40, seed=3))
    path = tmp_path / f"demo{suffix}"
    assert write_rows(rows, path) == 40
    assert not path.with_name(path.name + ".partial").exists()
    reports, stats = read_reports(path)
    assert stats.format == "generic"
    assert stats.rows_imported == 40
    assert [r.id for r in reports] == [row["id"] for row in rows]
    for report, row in zip(reports, rows, strict=True):
        assert report.agency == row["agency"]
        assert report.urgent == row["urgent"]
        assert report.created_at == row["created_at"]
        assert report.duplicate_of == row["duplicate_of"]
    frame = reports_frame(reports)
    assert len(frame) == 40
    assert frame["channel"].notna().all()


def test_xlsx_is_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "text", "created_at", "urgent"])
    sheet.append([1, "pohon tumbang menimpa kabel", datetime(2024, 3, 1, 7, 30), 1])
    sheet.append([None, None, None, None])
    sheet.append([2, "", datetime(2024, 3, 2), 0])
    workbook.save(tmp_path / "x.xlsx")
    reports, stats = read_reports(tmp_path / "x.xlsx")
    assert [r.id for r in reports] == ["1"]
    assert reports[0].urgent is True
    assert reports[0].created_at == datetime(2024, 3, 1, 7, 30)
    assert stats.skipped == {"empty text": 1}


def test_reader_streams_lazily(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_rows(generate(2_000, seed=1), path)
    reader = ReportReader(path)
    first = next(iter(reader))
    assert first.id == "KTM-0000001"
    assert reader.stats.rows_read == 1
    with pytest.raises(IngestError, match="only once"):
        iter(reader).__next__()


def test_parse_datetime() -> None:
    assert parse_datetime("2024-01-02 03:04:05", dayfirst=False) == datetime(2024, 1, 2, 3, 4, 5)
    assert parse_datetime("2024-01-02T03:04:05+08:00", dayfirst=False) == datetime(
        2024, 1, 2, 3, 4, 5
    )
    assert parse_datetime("02/01/2024", dayfirst=True) == datetime(2024, 1, 2)
    assert parse_datetime("", dayfirst=True) is None
    with pytest.raises(ValueError, match="unparseable"):
        parse_datetime("02/01/2024", dayfirst=False)
