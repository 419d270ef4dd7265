"""The Router's text tasks (channel, topic, agency, supervision): the rows a fit learns from,
featurised once for every task, and one classifier per task that has labels to learn. Plain
functions and data: the Router keeps what they return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core.schema import DATASET, SUGGESTED_TASKS
from core.taxonomy import category_descriptions
from models.catalogue import Catalogue
from models.channel import intent_features
from models.frames import prepare_frame
from models.linear import CalibratedLinearClassifier, ReportVectorizer, model_texts
from models.opd_routing import function_descriptions
from models.regions import UNNAMED_SOURCE
from models.router_agency import AgencyLabels, agency_labels
from models.router_defaults import INTENT_WEIGHT
from models.task_fitting import fit_task_classifier, row_seconds, task_labels, unlearnable


def task_features(
    task: str,
    matrix: Any,
    texts: list[str],
    sentences: np.ndarray | None,
    sentence_weights: dict[str, float],
) -> Any:
    """The shared text features as ``task`` reads them: plus intent cues for the channel task
    and the weighted sentence embeddings for the tasks that use them."""
    blocks = [matrix]
    if task == "channel":
        blocks.append(intent_features(texts) * INTENT_WEIGHT)
    if weight := sentence_weights.get(task):
        blocks.append(sp.csr_matrix(sentences * weight))
    return matrix if len(blocks) == 1 else sp.hstack(blocks, format="csr")


@dataclass
class TrainingRows:
    """The rows of one fit: the training rows, then the extra (synthetic) rows, then the
    taxonomy's descriptions, featurised once."""

    combined: pd.DataFrame
    prepared: pd.DataFrame
    vectorizer: ReportVectorizer
    """Fitted on these rows: the Router keeps it for prediction."""
    matrix: Any
    texts: list[str]
    sentences: np.ndarray | None
    in_train: np.ndarray
    describes: np.ndarray
    times: np.ndarray
    """Each training row's filing time in seconds (NaN: extra rows, which always train)."""
    sources: list[str]


def training_rows(
    train: pd.DataFrame,
    extra: pd.DataFrame,
    vectorizer_params: dict[str, Any],
    topic_descriptions: bool,
    sentence_vectors: Callable[[list[str]], np.ndarray | None],
) -> TrainingRows:
    """The training rows, the extra rows and the descriptions of the taxonomy (topic, when
    ``topic_descriptions``) and of the OPD functions (agency), featurised by a vectorizer
    fitted on them."""
    descriptions = [train.iloc[:0]]
    if topic_descriptions and task_labels(train, "topic").notna().any():
        topics, texts = zip(*category_descriptions(), strict=True)
        descriptions.append(pd.DataFrame({"text": texts, "topic": topics}))
    if task_labels(train, "agency").notna().any():
        descriptions.append(function_descriptions())
    combined = pd.concat([train, extra, *descriptions], ignore_index=True)
    prepared = prepare_frame(combined)
    in_train = np.arange(len(combined)) < len(train)
    texts = model_texts(prepared)
    vectorizer = ReportVectorizer(**vectorizer_params).fit(prepared)
    return TrainingRows(
        combined=combined,
        prepared=prepared,
        vectorizer=vectorizer,
        matrix=vectorizer.transform(prepared),
        texts=texts,
        sentences=sentence_vectors(texts),
        in_train=in_train,
        describes=np.arange(len(combined)) >= len(train) + len(extra),
        times=np.where(in_train, row_seconds(combined), np.nan),  # extra rows always train
        sources=[s if isinstance(s, str) else UNNAMED_SOURCE for s in prepared[DATASET]],
    )


@dataclass
class TextTasks:
    """What fitting the text tasks gave: a classifier per learnable task, the class weight
    each chose, why the others were skipped, and what the agency and encoder steps reuse."""

    classifiers: dict[str, CalibratedLinearClassifier] = field(default_factory=dict)
    class_weights: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    agency: AgencyLabels = field(default_factory=lambda: AgencyLabels(None))
    agency_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    encoder_labels: dict[str, np.ndarray] = field(default_factory=dict)
    """Per task, each row's label where the task learned from it (the encoder's targets)."""


def fit_text_tasks(
    rows: TrainingRows,
    task_params: dict[str, dict[str, Any]],
    extra_tasks: tuple[str, ...],
    sentence_weights: dict[str, float],
    catalogue: Catalogue | None,
    progress: Callable[[str], None],
) -> TextTasks:
    """One classifier per suggested task with labels to learn: the training rows, the extra
    rows of ``extra_tasks`` and the descriptions of the task's own labels."""
    fitted = TextTasks()
    for task in SUGGESTED_TASKS:
        labels = task_labels(rows.combined, task)
        if task == "agency":
            fitted.agency = agency_labels(
                labels, rows.combined, rows.in_train, rows.sources, catalogue
            )
            if fitted.agency.labels is None:
                fitted.skipped[task] = fitted.agency.skipped or ""
                progress(f"skipping the deployment-level agency model: {fitted.agency.skipped}")
                continue
            labels = fitted.agency.labels
        usable = labels.notna().to_numpy() & (
            rows.in_train | (task in extra_tasks) | rows.describes
        )
        if reason := unlearnable(task, labels[usable]):
            fitted.skipped[task] = reason
            progress(f"skipping {task}: {reason}")
            continue
        progress(f"fitting {task} ({labels[usable].nunique()} labels, {usable.sum()} rows)")
        features = task_features(
            task,
            rows.matrix[usable],
            [rows.texts[i] for i in np.flatnonzero(usable)],
            rows.sentences[usable] if rows.sentences is not None else None,
            sentence_weights,
        )
        classifier = fit_task_classifier(
            task,
            task_params[task],
            features,
            labels[usable].to_numpy(dtype=object),
            rows.times[usable],
        )
        fitted.classifiers[task] = classifier
        fitted.class_weights[task] = classifier.class_weight
        fitted.encoder_labels[task] = np.where(usable, labels.to_numpy(dtype=object), None)
        if task == "agency":
            fitted.agency_rows = np.flatnonzero(usable)
    return fitted
