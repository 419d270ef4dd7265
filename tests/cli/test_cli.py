"""The lapor command line: thin commands, one-line errors, exit codes."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from tests.conftest import CHEAP_PASSWORDS
from tests.terminal import LAPOR

runner = CliRunner()


def test_synth_then_inspect(tmp_path: Path) -> None:
    out = tmp_path / "demo.csv"
    result = runner.invoke(app, ["data", "synth", "--n", "300", "--out", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "wrote 300 synthetic reports" in result.output
    summary = tmp_path / "summary.json"
    result = runner.invoke(app, ["data", "inspect", str(out), "--json", str(summary)])
    assert result.exit_code == 0, result.output
    assert "format: generic" in result.output
    assert "rows read 300" in result.output
    data = json.loads(summary.read_text())
    assert data["rows_imported"] == 300
    assert set(data["labels"]["channel"]) == {"pengaduan", "aspirasi", "permintaan_informasi"}
    assert sum(data["labels"]["agency"].values()) == 300


def test_inspect_reports_skipped_rows(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,text,created_at\n1,ok,2024-01-01\n2,,2024-01-01\n3,ok,bukan tanggal\n")
    result = runner.invoke(app, ["data", "inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "skipped 2" in result.output
    assert "row 2: empty text" in result.output
    assert "row 3: created_at: unparseable date" in result.output


def test_fatal_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("judul,isi\na,b\n")
    for args in (
        ["data", "inspect", str(path)],
        ["data", "inspect", str(tmp_path / "missing.csv")],
        ["data", "inspect", str(path), "--format", "sap"],
        ["data", "inspect", str(path), "--map", "isi"],
        ["data", "synth", "--n", "5", "--out", str(tmp_path / "x.docx")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1, result.output
        assert lines[0].startswith("error:")


def test_a_home_that_cannot_be_written_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    homes = [blocker / "home"]
    try:  # a read-only file system where there is one (root writes anywhere else)
        Path("/sys/lapor-probe").mkdir()
        Path("/sys/lapor-probe").rmdir()
    except OSError:
        homes.append(Path("/sys/lapor-home"))
    for home in homes:
        monkeypatch.setenv("LAPOR_HOME", str(home))
        get_settings.cache_clear()
        for args in (["users", "list"], ["models", "list"], ["serve"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 1, (home, args, result.output)
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert len(lines) == 1, result.output
            assert f"LAPOR_HOME {home} cannot be written" in lines[0]


def test_inspect_lists_as_many_bad_rows_as_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,ok\n2,\n3,\n4,\n")
    monkeypatch.setenv("LAPOR_IMPORT_ISSUE_LIMIT", "2")
    get_settings.cache_clear()
    summary = tmp_path / "summary.json"
    result = runner.invoke(app, ["data", "inspect", str(path), "--json", str(summary)])
    assert result.exit_code == 0, result.output
    data = json.loads(summary.read_text())
    assert data["rows_skipped"] == 3  # every bad row counted, the first two listed
    assert [issue["row"] for issue in data["issues"]] == [2, 3]


def test_inspect_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("judul,isi\nlampu,lampu jalan mati\n")
    result = runner.invoke(
        app, ["data", "inspect", str(path), "--map", "isi=text", "--map", "judul=title"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1" in result.output


def test_users_add_with_password_and_api_key() -> None:
    from core.config import get_settings
    from serve.store import Store

    created = runner.invoke(
        app, ["users", "add", "siti", "--role", "staff"], input="kata-sandi-1\nkata-sandi-1\n"
    )
    assert created.exit_code == 0, created.output
    keyed = runner.invoke(app, ["users", "add", "bot", "--role", "admin", "--api-key"])
    assert keyed.exit_code == 0, keyed.output
    key = keyed.stdout.split()[-1]
    store = Store(get_settings().store_url, passwords=CHEAP_PASSWORDS)
    assert store.authenticate("siti", "kata-sandi-1").role == "staff"
    assert store.principal_for_key(key).name == "bot"
    listed = runner.invoke(app, ["users", "list"])
    assert "siti" in listed.stdout
    assert "bot" in listed.stdout


def test_users_add_refuses_bad_input() -> None:
    bad_role = runner.invoke(app, ["users", "add", "x", "--role", "root", "--api-key"])
    assert bad_role.exit_code == 1
    assert "unknown role 'root'" in bad_role.output
    short = runner.invoke(app, ["users", "add", "x"], input="pendek\npendek\n")
    assert short.exit_code == 1
    assert "at least 8" in short.output
    runner.invoke(app, ["users", "add", "dup", "--api-key"])
    again = runner.invoke(app, ["users", "add", "dup", "--role", "admin", "--api-key"])
    assert again.exit_code == 1
    assert "exists with role staff" in again.output


def test_serve_without_a_model_says_so() -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "no champion model" in result.output


def test_files_under_home_are_private_to_their_owner(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [str(LAPOR), "users", "add", "sms-gateway", "--api-key"],
        env={**os.environ, "LAPOR_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = [home, *home.rglob("*")]
    assert any(p.suffix == ".db" for p in written)
    exposed = [str(p) for p in written if p.stat().st_mode & 0o077]
    assert exposed == []


def test_users_deactivate_activate_set_password_keys_revoke_and_audit() -> None:
    from core.config import get_settings
    from serve.store import Store

    key = runner.invoke(app, ["users", "add", "bot", "--api-key"]).stdout.split()[-1]
    runner.invoke(app, ["users", "add", "siti"], input="kata-sandi-1\nkata-sandi-1\n")
    store = Store(get_settings().store_url, passwords=CHEAP_PASSWORDS)
    assert runner.invoke(app, ["users", "deactivate", "bot"]).exit_code == 0
    assert store.principal_for_key(key) is None
    again = runner.invoke(app, ["users", "deactivate", "bot"])
    assert (again.exit_code, "already inactive" in again.output) == (1, True)
    assert runner.invoke(app, ["users", "activate", "bot"]).exit_code == 0
    assert store.principal_for_key(key).name == "bot"
    reset = runner.invoke(app, ["users", "set-password", "siti"], input="sandi-baru-1\n" * 2)
    assert reset.exit_code == 0, reset.output
    assert store.authenticate("siti", "sandi-baru-1") is not None
    listed = runner.invoke(app, ["users", "keys"])
    assert key[:8] in listed.stdout
    assert key not in listed.stdout
    revoked = runner.invoke(app, ["users", "revoke-key", key])  # a leaked key, given whole
    assert revoked.exit_code == 0, revoked.output
    assert store.principal_for_key(key) is None
    unknown = runner.invoke(app, ["users", "revoke-key", "999"])
    assert (unknown.exit_code, "no API key" in unknown.output) == (1, True)
    trail = runner.invoke(app, ["users", "audit"]).stdout
    for action in ("deactivate", "activate", "set_password", "revoke_key", "add_key"):
        assert action in trail
    assert "cli:" in trail


HEAVY_LIBRARIES = ("pandas", "sklearn", "mlflow", "torch", "sqlalchemy", "uvicorn")


def test_help_imports_no_command_and_no_heavy_library() -> None:
    """`lapor --help` and every command's own --help answer before pandas, scikit-learn, MLflow,
    torch or the store are imported (they cost seconds of CPU on each start)."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import COMMANDS, app\n"
        "for args in [[], *([name] for name in COMMANDS)]:\n"
        "    result = CliRunner().invoke(app, [*args, '--help'])\n"
        "    assert result.exit_code == 0, (args, result.output)\n"
        f"print(sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_every_listed_command_loads_under_its_name() -> None:
    from cli.main import COMMANDS

    listing = runner.invoke(app, ["--help"]).output
    for name, entry in COMMANDS.items():
        assert entry.summary in listing
        command = entry.load(name)
        assert command.name == name
        module_name, attribute = entry.target.split(":")
        target = getattr(importlib.import_module(module_name), attribute)
        if isinstance(target, typer.Typer):
            expected = {info.name or info.callback.__name__ for info in target.registered_commands}
            assert set(command.commands) >= expected, name
        else:
            assert command.callback is not None, name
