"""`lapor deployment init` and `lapor deployment agencies`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.common import console, deployment_catalogue
from cli.main import app

runner = CliRunner()


def test_init_then_list_the_catalogue(
    tmp_path: Path, lapor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)
    agencies = tmp_path / "opd.csv"
    agencies.write_text(
        "name,aliases,function\n"
        "Dinas PUPR,Dinas PU;DPUPR,\n"
        "Unit Layanan Kebersihan Kota,,lingkungan_hidup\n"
        "Dinas Rahasia,,tidak_ada\n",
        encoding="utf-8",
    )
    init = ["deployment", "init", "--regency", "Kabupaten Kutai Timur", "--rules-only"]
    result = runner.invoke(app, [*init, "--agencies", str(agencies)])
    assert result.exit_code == 0, result.output
    assert "skipped row 4: Dinas Rahasia: unknown function 'tidak_ada'" in result.output
    assert "deployment Kabupaten Kutai Timur: 161 agencies" in result.output
    assert deployment_catalogue().opd("dinas pu").name == "Dinas PUPR"  # in the store
    listed = runner.invoke(app, ["deployment", "agencies"])
    assert listed.exit_code == 0, listed.output
    assert "Pekerjaan umum dan penataan ruang" in listed.output
    assert "explicit" in listed.output
    assert "Dinas PU; DPUPR" in listed.output
    assert "159 kecamatan and kelurahan/desa offices" in listed.output
    again = runner.invoke(app, [*init, "--agencies", str(agencies)])
    assert again.exit_code == 1
    assert "--force" in again.output
    replaced = runner.invoke(app, [*init, "--force"])  # no file: the gazetteer's offices only
    assert replaced.exit_code == 0, replaced.output
    assert deployment_catalogue().opd("dinas pu") is None


def test_agencies_without_a_deployment_is_one_clear_line() -> None:
    result = runner.invoke(app, ["deployment", "agencies"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no deployment is set up")
