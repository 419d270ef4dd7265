"""The two commands' Makefile: every file a rule depends on exists (a moved module otherwise
breaks `make run` on a fresh machine with "No rule to make target")."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_file_a_rule_depends_on_exists() -> None:
    makefile = (REPO / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(\S+)", makefile, flags=re.M))
    missing = []
    for target, prerequisites in re.findall(r"^([^\s#:=]+):(?!=)([^\n]*)$", makefile, re.M):
        for pattern in re.findall(r"\$\(wildcard ([^)]+)\)", prerequisites):
            if not list(REPO.glob(pattern)):
                missing.append(f"{target}: {pattern} (matches nothing)")
        prerequisites = re.sub(r"\$\(wildcard [^)]+\)", "", prerequisites)
        for name in prerequisites.split():
            name = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), ""), name)
            generated = name.startswith(".venv") or name in variables.values()
            if "/" in name and not generated and not (REPO / name).exists():
                missing.append(f"{target}: {name}")
    assert not missing, missing
