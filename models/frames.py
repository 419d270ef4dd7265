"""The model-input frame every caller shares: the report fields the Router reads (and the source
a row was imported from, where it has one), built once per batch, and the hashes that tell
whether a row was seen in training."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from core.schema import DATASET, Report
from models.linear import model_texts

MODEL_INPUT_FIELDS = ("id", "title", "text", "district", "village", "regency", "address")
"""The report fields the Router reads (the pyfunc signature's input columns)."""


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The model-input columns of a report frame (the one preprocessing entry point)."""
    return _prepared(
        {
            name: frame[name].tolist() if name in frame else [None] * len(frame)
            for name in (*MODEL_INPUT_FIELDS, DATASET)
        }
    )


def prepare_reports(reports: list[Report]) -> pd.DataFrame:
    """The model-input frame of Reports, as :func:`prepare_frame` builds it from their frame
    (read straight from the Reports: a frame of them first costs a millisecond per call of
    the service's one-report requests)."""
    columns = {name: [getattr(r, name) for r in reports] for name in MODEL_INPUT_FIELDS}
    return _prepared({**columns, DATASET: [None] * len(reports)})


def records(prepared: pd.DataFrame, fields: tuple[str, ...]) -> list[dict[str, object]]:
    """The rows of a prepared frame as dicts of ``fields`` (pandas' ``to_dict`` costs half a
    millisecond per call, whatever the rows)."""
    columns = [prepared[field].tolist() for field in fields]
    return [dict(zip(fields, values, strict=True)) for values in zip(*columns, strict=True)]


def _prepared(columns: dict[str, list[object]]) -> pd.DataFrame:
    columns["text"] = [t if isinstance(t, str) else "" for t in columns["text"]]
    columns["title"] = [t if isinstance(t, str) else None for t in columns["title"]]
    # built in one go from lists: column-by-column assignment costs ~2 ms per call, which
    # dominates the service's one-report requests
    return pd.DataFrame(columns, dtype=object)


def _hash64(values: list[str]) -> np.ndarray:
    digests = [hashlib.blake2b(v.encode(), digest_size=8).digest() for v in values]
    return np.frombuffer(b"".join(digests), dtype=np.uint64).copy()


def row_hashes(prepared: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of each row's id and of its model text."""
    ids = [f"id:{i}" if i is not None else "" for i in prepared["id"].tolist()]
    texts = [f"text:{t}" for t in model_texts(prepared)]
    return _hash64(ids), _hash64(texts)


def fingerprints(prepared: pd.DataFrame) -> np.ndarray:
    """The sorted, unique hashes of a prepared frame's ids and texts."""
    ids, texts = row_hashes(prepared)
    has_id = np.array([i is not None for i in prepared["id"].tolist()], dtype=bool)
    return np.unique(np.concatenate([ids[has_id], texts]))


def set_digest(frame: pd.DataFrame) -> str:
    """A short name for a set of reports, whatever their order: two models measured on sets
    with the same digest are measured on the same reports."""
    return hashlib.sha256(fingerprints(prepare_frame(frame)).tobytes()).hexdigest()[:12]
