"""Run the ``lapor`` command as a person does: in a (pseudo-)terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

LAPOR = Path(sys.executable).with_name("lapor")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run `lapor ARGS` with stdin, stdout and stderr on a pseudo-terminal; return its exit
    code and everything it showed there, without colours and cursor moves."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("CI", None)
    process = subprocess.Popen(
        [str(LAPOR), *args], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        shown.extend(chunk)
    os.close(leader)
    return process.wait(timeout=timeout), ANSI_ESCAPE.sub("", shown.decode("utf-8", "replace"))
