"""A saved model folder: ``config.json`` (format version, library versions, labels, thresholds,
provenance), the estimators and a model card. Loading checks the format and the libraries first
and refuses in one sentence before reading anything else.

The estimators are stored with ``skops`` rather than pickle: loading a pickle executes whatever
code it names, which a folder fetched from a shared tracking server must not be able to do.
skops rebuilds only scikit-learn, numpy and scipy objects plus the types the caller names as
trusted (the model's own classes); a folder holding any other type is refused."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

from core.provenance import library_versions

FORMAT_VERSION = 11
"""The folder's layout (config.json + estimators.skops + README.md) and what the estimators
hold (3: the training rows' fingerprints; 4: the urgency tiers; 5: agency functions and the
deployment's catalogue; 6: hashed place features; 7: each region's agencies;
8: auto-routing thresholds region by region; 9: each vocabulary saved as one string; 10: the
urgency task and the agency's routing as one object each; 11: the sub-topic task and the encoder
head as one object each); bump on change."""
READABLE_FORMAT_VERSIONS = frozenset({8, 9, 10, FORMAT_VERSION})
"""The formats this code loads: 8 differs only in how a vocabulary is written, which loading
reads either way, and 8 and 9 keep the parts of the urgency task and of the agency's routing
apart, which the Router's loader puts together (older code refuses a newer folder rather than
load it half understood)."""
CONFIG_FILE, ESTIMATORS_FILE, CARD_FILE = "config.json", "estimators.skops", "README.md"
COMPATIBLE_PARTS = {"scikit-learn": 2, "numpy": 1}
"""Version parts that must match for saved estimators to load correctly (major.minor, major)."""


class ModelFormatError(ValueError):
    """A saved folder this code cannot load (another format or library version)."""


TORCH_SHIM = "sklearn.externals.array_api_compat.torch"
"""scikit-learn's array-API adapter for torch, which imports torch (about 1 s of start-up)."""


def skops_io() -> ModuleType:
    """``skops.io``, imported without torch. At import it lists scikit-learn's estimators by
    walking every scikit-learn package, and the walk imports the torch adapter, which no saved
    estimator here needs. The adapter is hidden during that walk alone (the walk passes over a
    package that cannot be imported), so scikit-learn still finds it later where torch arrays
    are used."""
    if "skops.io" not in sys.modules:
        hidden = TORCH_SHIM not in sys.modules
        if hidden:
            sys.modules[TORCH_SHIM] = None
        try:
            import skops.io  # noqa: F401
        finally:
            if hidden and sys.modules.get(TORCH_SHIM, 0) is None:
                del sys.modules[TORCH_SHIM]
    return sys.modules["skops.io"]


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

    skops_io().dump({"params": params, "state": state}, folder / ESTIMATORS_FILE)
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
    if found not in READABLE_FORMAT_VERSIONS:
        raise ModelFormatError(
            f"{folder} holds a model of format version {found}, but this code reads "
            f"format version {' or '.join(map(str, sorted(READABLE_FORMAT_VERSIONS)))}: "
            "retrain it with this version of lapor-router"
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

    config = read_config(folder)
    path = Path(folder) / ESTIMATORS_FILE
    skops = skops_io()
    try:
        # skops audits every type before it builds anything; listing the types first
        # (get_untrusted_types) read the whole schema twice: 0.7 s more for the demo Router
        saved = skops.load(path, trusted=sorted(trusted))
    except skops.exceptions.UntrustedTypesFoundException:
        untrusted = set(skops.get_untrusted_types(file=path)) - trusted
        raise ModelFormatError(
            f"{folder} holds types this code does not trust: {', '.join(sorted(untrusted))}"
        ) from None
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as exc:
        raise ModelFormatError(
            f"{path} cannot be read ({type(exc).__name__}): it is missing, truncated or not a "
            "saved model; copy the folder again or retrain"
        ) from exc
    return saved["params"], saved["state"], config
