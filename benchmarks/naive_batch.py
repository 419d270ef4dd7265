"""The simplest batch script, the baseline `reclassify.py` measures `lapor reclassify` beside:
four pickled TF-IDF + LinearSVC pipelines (channel, topic, agency, urgent) predict a CSV and
write Parquet. No masking, no row checks, no thresholds, no resuming, one process.

    .venv/bin/python benchmarks/naive_batch.py PIPELINES.pkl INPUT.csv OUTPUT.parquet
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

TASKS = ("channel", "topic", "agency", "urgent")


def fit_pipelines(training: Path, out: Path) -> None:
    """Fit the four pipelines on a labelled CSV and pickle them to ``out``."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    frame = pd.read_csv(training, dtype=str)
    texts = frame["title"].fillna("") + " " + frame["text"].fillna("")
    pipelines = {
        task: make_pipeline(TfidfVectorizer(), LinearSVC()).fit(
            texts[frame[task].notna()], frame[task].dropna()
        )
        for task in TASKS
    }
    out.write_bytes(pickle.dumps(pipelines))


def main() -> None:
    import pandas as pd

    pipelines_file, source, output = (Path(arg) for arg in sys.argv[1:4])
    pipelines = pickle.loads(pipelines_file.read_bytes())  # our own file, written just before
    frame = pd.read_csv(source, dtype=str)
    texts = frame["title"].fillna("") + " " + frame["text"].fillna("")
    out = pd.DataFrame({"id": frame["id"]})
    for task, pipeline in pipelines.items():
        out[task] = pipeline.predict(texts)
    out.to_parquet(output, index=False)


if __name__ == "__main__":
    main()
