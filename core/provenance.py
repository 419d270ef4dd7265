"""Where a model came from: the library versions and the git commit it was built with."""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

TRACKED_LIBRARIES = ("lapor-router", "scikit-learn", "numpy", "pandas", "scipy", "PySastrawi")
"""The libraries whose versions a saved model records; loading checks the first three."""


def git_commit() -> str | None:
    """The working tree's commit, if it is a git checkout."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def library_versions() -> dict[str, str]:
    """Installed versions of the tracked libraries (absent ones left out)."""
    out = {}
    for name in TRACKED_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out
