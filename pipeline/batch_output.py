"""The rows a batch reclassification writes, whichever engine (local or Spark) runs it."""

from __future__ import annotations

import pandas as pd

from core.schema import Report
from models.predictions import SUGGESTION_COLUMNS, flatten
from models.triage import Triage

ERROR_COLUMNS = ("row", "id", "reason")


def output_columns() -> list[str]:
    """Columns of a reclassification output, in order."""
    return ["id", *SUGGESTION_COLUMNS[1:]]


def suggestion_frame(triage: Triage, reports: list[Report]) -> pd.DataFrame:
    """The output rows of a batch of reports (duplicates are linked in a pass of their own)."""
    rows = [flatten(s) for s in triage.predict(reports)] if reports else []
    frame = pd.DataFrame(rows, columns=["report_id", *output_columns()[1:]])
    return frame.rename(columns={"report_id": "id"})
