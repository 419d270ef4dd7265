"""Commands that show progress, run as a person runs them: in a terminal and redirected."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.terminal import LAPOR, run_in_terminal


@pytest.mark.slow
def test_synth_and_inspect_show_progress_in_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    code, shown = run_in_terminal(["data", "synth", "--n", "200", "--out", str(out)])
    assert code == 0, shown
    assert "Traceback" not in shown
    assert "wrote 200 synthetic reports" in shown
    code, shown = run_in_terminal(["data", "inspect", str(out)])
    assert code == 0, shown
    assert "rows read 200" in shown


@pytest.mark.slow
def test_progress_without_a_terminal_is_a_plain_line_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = subprocess.run(
        [str(LAPOR), "data", "synth", "--n", "150", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "generating: 150 of 150 rows" in result.stderr
    assert "rows/s" in result.stderr
