"""A saved model folder: ``config.json`` (format version, library versions, labels, thresholds,
provenance), the estimators and a model card. Loading checks the format and the libraries first
and refuses in one sentence before reading anything else.

The estimators are stored with ``skops`` rather than pickle: loading a pickle executes whatever
code it names, which a folder fetched from a shared tracking server must not be able to do.
skops rebuilds only scikit-learn, numpy and scipy objects plus the types the caller names as
trusted (the model's own classes); a folder holding any other type is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from core.provenance import library_versions

FORMAT_VERSION = 8
"""The folder's layout (config.json + estimators.skops + README.md) and what the estimators
hold (3: the training rows' fingerprints; 4: the urgency tiers; 5: agency functions and the
deployment's catalogue; 6: hashed place features; 7: each region's agencies;
8: auto-routing thresholds region by region); bump on change."""
CONFIG_FILE, ESTIMATORS_FILE, CARD_FILE = "config.json", "estimators.skops", "README.md"
COMPATIBLE_PARTS = {"scikit-learn": 2, "numpy": 1}
"""Version parts that must match for saved estimators to load correctly (major.minor, major)."""


class ModelFormatError(ValueError):
    """A saved folder this code cannot load (another format or library version)."""


def write_folder(
    folder: Path,
    params: dict[str, Any],
    state: dict[str, Any],
    config: dict[str, Any],
    card: str | None = None,
) -> Path:
    """Write the estimators (hyperparameters and fitted state), the config and the card."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = {"format_version": FORMAT_VERSION, **config, "library_versions": library_versions()}
    import skops.io  # heavy (scikit-learn's array-API support pulls in torch): only on save

    skops.io.dump({"params": params, "state": state}, folder / ESTIMATORS_FILE)
    text = json.dumps(config, indent=2, ensure_ascii=False, default=str)
    (folder / CONFIG_FILE).write_text(text, encoding="utf-8")
    if card is not None:
        (folder / CARD_FILE).write_text(card, encoding="utf-8")
    return folder


def read_config(folder: Path) -> dict[str, Any]:
    """A saved folder's config, after checking that this code can load its estimators."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise ModelFormatError(f"{folder} is not a saved model: it has no {CONFIG_FILE}")
    config = json.loads(path.read_text(encoding="utf-8"))
    found = config.get("format_version")
    if found != FORMAT_VERSION:
        raise ModelFormatError(
            f"{folder} holds a model of format version {found}, but this code reads "
            f"format version {FORMAT_VERSION}: retrain it with this version of lapor-router"
        )
    saved, installed = config.get("library_versions", {}), library_versions()
    for library, parts in COMPATIBLE_PARTS.items():
        old, new = saved.get(library), installed.get(library)
        if old and new and old.split(".")[:parts] != new.split(".")[:parts]:
            raise ModelFormatError(
                f"{folder} was saved with {library} {old}, but {new} is installed: "
                f"its estimators cannot be trusted to load; retrain it or install {old}"
            )
    return config


def read_folder(
    folder: Path, trusted: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(hyperparameters, fitted state, config) of a saved folder whose estimators use no type
    outside scikit-learn's, numpy's and ``trusted`` (full names, e.g. ``models.places.X``)."""
    import skops.io  # heavy (scikit-learn's array-API support pulls in torch): only on load

    config = read_config(folder)
    path = Path(folder) / ESTIMATORS_FILE
    try:
        needed = set(skops.io.get_untrusted_types(file=path))
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as exc:
        raise ModelFormatError(
            f"{path} cannot be read ({type(exc).__name__}): it is missing, truncated or not a "
            "saved model; copy the folder again or retrain"
        ) from exc
    if needed - trusted:
        raise ModelFormatError(
            f"{folder} holds types this code does not trust: {', '.join(sorted(needed - trusted))}"
        )
    saved = skops.io.load(path, trusted=sorted(needed))
    return saved["params"], saved["state"], config
