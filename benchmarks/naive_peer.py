"""The simplest peer of the service, the baseline `serve_load.py` measures it beside: a plain
FastAPI app serving four TF-IDF + LinearSVC pipelines (channel, topic, agency, urgent) trained on
the same demo corpus. No key, no masking, no store, no duplicates, no batching, no thresholds.

    .venv/bin/python benchmarks/naive_peer.py PORT [CORPUS.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "sample" / "demo_reports.csv"
TASKS = ("channel", "topic", "agency", "urgent")


class Body(BaseModel):
    """A report as the service's /classify takes it (the peer reads the title and text)."""

    text: str
    title: str | None = None
    regency: str | None = None
    district: str | None = None
    village: str | None = None
    address: str | None = None


def main() -> None:
    import pandas as pd
    import uvicorn
    from fastapi import FastAPI
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    port = int(sys.argv[1])
    frame = pd.read_csv(sys.argv[2] if len(sys.argv) > 2 else DEMO, dtype=str)
    texts = frame["title"].fillna("") + " " + frame["text"].fillna("")
    models = {
        task: make_pipeline(TfidfVectorizer(), LinearSVC()).fit(
            texts[frame[task].notna()], frame[task].dropna()
        )
        for task in TASKS
    }

    app = FastAPI()

    @app.post("/api/v1/classify")
    def classify(body: Body) -> dict[str, str]:
        text = f"{body.title or ''} {body.text}"
        return {task: str(model.predict([text])[0]) for task, model in models.items()}

    @app.get("/api/v1/ready")
    def ready() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
