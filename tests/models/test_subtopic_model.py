"""The sub-topic task: fitted with each sub-topic's main category, shown only where sure and
under its own main category."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.suggestion import Candidate, TopicSuggestion
from models.linear import CalibratedLinearClassifier, ReportVectorizer
from models.predictions import TaskPredictions
from models.subtopic_model import SubtopicModel, fit_subtopic


def _topic(label: str) -> TopicSuggestion:
    return TopicSuggestion(
        label=label, score=0.9, decision="review", candidates=[Candidate(label=label, score=0.9)]
    )


def test_fitted_with_each_subtopics_most_frequent_topic() -> None:
    rows = pd.DataFrame(
        {
            "text": ["jalan berlubang parah", "jalan rusak berlubang", "lampu jalan mati",
                     "lampu penerangan padam", "jalan berlubang dalam", "lampu mati total"],
            "topic": ["PU", "PU", "ENERGI", "ENERGI", "PERHUBUNGAN", "ENERGI"],
            "subtopic": ["JALAN", "JALAN", "LAMPU", "LAMPU", "JALAN", "LAMPU"],
        }
    )  # fmt: skip
    matrix = ReportVectorizer(min_df=1).fit_transform(rows)
    model = fit_subtopic({"calibration_folds": 2}, rows, matrix, lambda step: None)
    assert model is not None
    assert model.parents == {"JALAN": "PU", "LAMPU": "ENERGI"}
    assert model.threshold == 0.5
    assert list(model.predictions(matrix).classes) == ["JALAN", "LAMPU"]
    one_subtopic = rows.assign(subtopic="JALAN")
    assert fit_subtopic({}, one_subtopic, matrix, lambda step: None) is None


def test_shown_only_when_sure_and_under_its_own_topic() -> None:
    parents = {"JALAN": "PU", "LAMPU": "ENERGI"}
    # add_to reads only the predictions it is given, never the classifier
    model = SubtopicModel(CalibratedLinearClassifier(), parents, threshold=0.7)
    predictions = TaskPredictions(
        np.array(["JALAN", "LAMPU"]), np.array([[0.8, 0.2], [0.6, 0.4], [0.1, 0.9], [0.9, 0.1]])
    )
    topics = [_topic("PU"), _topic("PU"), _topic("ENERGI"), _topic("ENERGI")]
    model.add_to(topics, predictions)
    assert [(t.subtopic, t.subtopic_score) for t in topics] == [
        ("JALAN", 0.8), (None, None), ("LAMPU", 0.9), (None, None)
    ]  # fmt: skip
