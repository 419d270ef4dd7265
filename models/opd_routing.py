"""Agency routing at two levels: a **function** model learned from every source (each source's
agency names resolved to their functions, :mod:`models.functions`) spread over a deployment's
catalogue (:class:`models.catalogue.Catalogue`), blended with the **deployment-level** model
over the deployment's own names as its labelled history grows. The blend weight is chosen on
the deployment's own rows, out of fold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.catalogue import Catalogue
from models.functions import opd_functions, rule_functions
from models.linear import CalibratedLinearClassifier
from models.predictions import TaskPredictions
from models.task_fitting import fit_task_classifier

FUNCTION_TASK = "function"
FUNCTION_COLUMN = "opd_function"
"""The column holding a row's function directly (the taxonomy's description rows)."""
BLEND_WEIGHTS = np.round(np.linspace(0, 1, 11), 2)
"""Candidate shares of the deployment-level model (ties go to the smaller)."""
MIN_BLEND_ROWS = 50
"""Deployment rows needed before the deployment-level model gets any weight."""


OWN_SOURCE_SHARE = 0.5
"""A source counts as the deployment's own history when at least this share of its agency
labels are spelled exactly as the catalogue spells its OPDs (another city's "Dinas Sosial" is
not "Dinas Sosial Kabupaten Bandung", though the names alone cannot tell)."""


def deployment_labels(
    labels: pd.Series, catalogue: Catalogue, sources: pd.Series | None
) -> pd.Series:
    """The agency labels of the deployment's own rows as catalogue names (None elsewhere):
    rows whose label the catalogue knows, from sources (``sources``: each row's, where the
    frame says) mostly labelled with the catalogue's own spellings."""
    canonical = catalogue.canonical_series(labels)
    if sources is None:
        return canonical
    labelled = labels.notna().to_numpy()
    known = np.array([catalogue.spells(v) for v in labels.tolist()], dtype=bool)
    # rows of no source (synthetic extras) are one group of their own
    source = np.array([s if isinstance(s, str) else "" for s in sources.tolist()], dtype=object)
    own = np.zeros(len(labels), dtype=bool)
    for name in np.unique(source[labelled]):
        rows = source == name
        if known[rows & labelled].mean() >= OWN_SOURCE_SHARE:
            own |= rows
    return canonical.where(pd.Series(own), None)


def agency_functions(labels: pd.Series, catalogue: Catalogue | None) -> list[tuple[str, ...]]:
    """Each agency label's functions: the catalogue's for its OPDs, the name rules' otherwise
    (names neither knows: none, so they do not teach the function model)."""
    known: dict[str, tuple[str, ...]] = {}
    for name in {v for v in labels.tolist() if isinstance(v, str)}:
        opd = catalogue.opd(name) if catalogue is not None else None
        known[name] = opd.functions if opd is not None and opd.function else rule_functions(name)
    return [known.get(v, ()) if isinstance(v, str) else () for v in labels.tolist()]


def function_descriptions() -> pd.DataFrame:
    """The taxonomy read as labelled rows: one per function, its name and description."""
    functions = opd_functions().values()
    return pd.DataFrame(
        {
            "text": [f"{f.name}: {f.description}" for f in functions],
            FUNCTION_COLUMN: [f.key for f in functions],
        }
    )


def fit_function_classifier(
    params: dict[str, Any], features: Any, allowed: list[tuple[str, ...]], times: np.ndarray
) -> CalibratedLinearClassifier:
    """The function model. Rows of an OPD with several functions (a "Dinas Perindustrian dan
    Tenaga Kerja") are labelled with the one of them a first model, fitted on the single-function
    rows, finds likeliest for their text; then every row trains the final model."""
    labels = np.array([options[0] for options in allowed], dtype=object)
    several = np.array([len(options) > 1 for options in allowed])
    if several.any() and len(set(labels[~several])) > 1:
        first = CalibratedLinearClassifier(**{**params, "class_weight": None}).fit(
            features[~several], labels[~several]
        )
        proba = first.predict_proba_unchecked(features[several])
        column = {c: i for i, c in enumerate(first.classes_)}
        for row, index in enumerate(np.flatnonzero(several)):
            options = [o for o in allowed[index] if o in column]
            if options:
                labels[index] = max(options, key=lambda o: proba[row, column[o]])
    return fit_task_classifier(FUNCTION_TASK, params, features, labels, times)


def catalogue_columns(catalogue: Catalogue, agency: TaskPredictions) -> np.ndarray:
    """For each row and class column of the deployment-level predictions, the catalogue column
    of the OPD it names (-1 where the catalogue lacks it)."""
    position = {name: i for i, name in enumerate(catalogue.names())}

    def column(label: object) -> int:
        found = catalogue.canonical(label)
        return position[found] if found is not None else -1

    columns = np.tile(
        np.array([column(c) for c in agency.classes], dtype=int), (agency.proba.shape[0], 1)
    )
    if agency.labels is not None:  # only the own-office classes name an OPD row by row
        named_per_row = (agency.labels != agency.classes.astype(object)).any(axis=0)
        for index in np.flatnonzero(named_per_row):
            columns[:, index] = [column(label) for label in agency.labels[:, index].tolist()]
    return columns


def onto_catalogue(catalogue: Catalogue, agency: TaskPredictions) -> np.ndarray:
    """Deployment-level probabilities as columns of the catalogue (names it lacks dropped,
    rows renormalised; a row with nothing left stays all zero)."""
    columns = catalogue_columns(catalogue, agency)
    out = np.zeros((agency.proba.shape[0], len(catalogue.opds)))
    rows = np.repeat(np.arange(out.shape[0])[:, None], columns.shape[1], axis=1)
    keep = columns >= 0
    np.add.at(out, (rows[keep], columns[keep]), agency.proba[keep])
    totals = out.sum(axis=1, keepdims=True)
    return np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)


def blend(spread: np.ndarray, deployment: np.ndarray | None, weight: float) -> np.ndarray:
    """``weight`` x deployment-level + the rest x function-level; rows the deployment-level
    model cannot place keep the function level alone."""
    if deployment is None or weight == 0:
        return spread
    placed = deployment.sum(axis=1, keepdims=True) > 0
    return np.where(placed, weight * deployment + (1 - weight) * spread, spread)


def choose_blend_weight(
    spread: np.ndarray, deployment: np.ndarray, truth: np.ndarray
) -> tuple[float, dict[str, float]]:
    """The deployment-level share, from out-of-fold predictions of the deployment's own rows
    (``truth``: catalogue columns): the smallest share whose top-1 is within one standard error
    of the best (a gain the rows cannot tell from noise does not buy weight: on Bandung the
    flat out-of-fold curves of 100 decisions would otherwise pick 0.7, which loses 2 points on
    newer reports); and each candidate's top-1. Below :data:`MIN_BLEND_ROWS` rows: 0."""
    if len(truth) < MIN_BLEND_ROWS:
        return 0.0, {}
    scores = {
        str(weight): round(
            float((blend(spread, deployment, weight).argmax(axis=1) == truth).mean()), 4
        )
        for weight in BLEND_WEIGHTS
    }
    best = max(scores.values())
    margin = np.sqrt(best * (1 - best) / len(truth))
    chosen = min(w for w in BLEND_WEIGHTS if scores[str(w)] >= best - margin)
    return float(chosen), scores
