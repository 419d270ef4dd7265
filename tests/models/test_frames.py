"""The model-input frame: built from Reports or from a frame of them, it is the same frame."""

from __future__ import annotations

import pandas as pd

from core.schema import Report
from models.frames import MODEL_INPUT_FIELDS, prepare_frame, prepare_reports, records
from models.router import Router

REPORTS = [
    Report(id="r1", text="Jalan berlubang di depan pasar", title="Jalan rusak", village="Mojo"),
    Report(id="r2", text="Lampu jalan mati", district="Sangatta Utara", address="Jl. Poros"),
    Report(id="r3", text="Banjir", regency="Kutai Timur"),
]


def _blank_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def test_a_frame_from_reports_equals_the_frame_of_their_rows() -> None:
    """A field a Report leaves out is None; in a frame of Reports pandas makes it NaN (the
    model reads both as blank)."""
    rows = pd.DataFrame([r.model_dump(include=set(MODEL_INPUT_FIELDS)) for r in REPORTS])
    pd.testing.assert_frame_equal(prepare_reports(REPORTS), _blank_as_none(prepare_frame(rows)))
    assert prepare_reports([]).empty


def test_records_are_pandas_records_of_the_fields() -> None:
    prepared = prepare_reports(REPORTS)
    fields = ("district", "village", "text")
    assert records(prepared, fields) == prepared[list(fields)].to_dict("records")


def test_reports_and_their_frame_get_the_same_suggestions(router: Router) -> None:
    rows = pd.DataFrame([r.model_dump(include=set(MODEL_INPUT_FIELDS)) for r in REPORTS])
    assert [s.model_dump() for s in router.predict(REPORTS)] == [
        s.model_dump() for s in router.predict_frame(rows)
    ]
