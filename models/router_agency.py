"""The agency task's own parts of the Router: which labels it learns (the deployment's names, own
kelurahan/kecamatan offices as one class, each source's names), the function level and its blend
with the deployment-level model, and turning the model's probabilities back into concrete OPDs
(the report's own office; the names of the catalogue served). Plain functions: the Router keeps
what they return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.schema import DATASET
from models.catalogue import PLACE_FIELDS, Catalogue
from models.frames import records
from models.linear import CalibratedLinearClassifier
from models.opd_routing import (
    FUNCTION_COLUMN,
    FUNCTION_TASK,
    MIN_BLEND_ROWS,
    agency_functions,
    blend,
    choose_blend_weight,
    deployment_labels,
    fit_function_classifier,
    onto_catalogue,
)
from models.places import PlaceOffices
from models.predictions import TaskPredictions
from models.regions import SourceAgencies
from models.task_fitting import task_labels

if TYPE_CHECKING:
    from models.router_training import TrainingRows


@dataclass
class AgencyLabels:
    """What the agency task learns from, and what it knows about the names it learns."""

    labels: pd.Series | None
    """Per row, the class to learn (own offices generic); None: no deployment-level model."""
    skipped: str | None = None
    places: PlaceOffices = field(default_factory=PlaceOffices)
    sources: SourceAgencies = field(default_factory=SourceAgencies)
    """Without a catalogue: each source's agency classes (:mod:`models.regions`)."""
    opd_history: dict[str, int] = field(default_factory=dict)
    """With a catalogue: its labelled training reports per OPD."""
    deployment_sources: list[str] = field(default_factory=list)
    """The sources of the reports labelled with the catalogue's own names."""


def agency_labels(
    labels: pd.Series,
    combined: pd.DataFrame,
    in_train: np.ndarray,
    sources: list[str],
    catalogue: Catalogue | None,
) -> AgencyLabels:
    """The agency classes of every row. With a ``catalogue`` only its own names count (and too
    few of them leave the function level alone); own-place offices become one class each."""
    found = AgencyLabels(labels)
    if catalogue is not None:
        labels = deployment_labels(labels, catalogue, combined.get(DATASET))
        own = labels[in_train].dropna()
        found.deployment_sources = [sources[i] for i in own.index]
        found.opd_history = {k: int(n) for k, n in own.value_counts().items()}
        if len(own) < MIN_BLEND_ROWS:
            found.labels = None
            found.skipped = (
                f"{len(own)} reports carry the deployment's own OPD names (its own model needs "
                f"{MIN_BLEND_ROWS}): the function level routes alone"
            )
            return found
    found.places = PlaceOffices().fit(labels[in_train], combined[in_train])
    found.labels = found.places.encode(labels, combined)
    if catalogue is None:
        found.sources = SourceAgencies.fit(
            found.labels[in_train].tolist(),
            [s for s, train in zip(sources, in_train, strict=True) if train],
        )
    return found


@dataclass(frozen=True)
class AgencyRouting:
    """What the fitted agency task knows besides its classifiers (the deployment level under
    ``agency``, the function level under ``agency_function``): which classes are own-place
    offices and how they name the report's office, each source's names (without a catalogue),
    the deployment's labelled reports per OPD (how a function's share is split between the OPDs
    serving it), and the deployment level's share in the blend, with the out-of-fold top-1 of
    each candidate share that chose it."""

    places: PlaceOffices = field(default_factory=PlaceOffices)
    sources: SourceAgencies = field(default_factory=SourceAgencies)
    opd_history: dict[str, int] = field(default_factory=dict)
    blend_weight: float = 0.0
    blend_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class FunctionLevel:
    """The function model and its blend with the deployment-level agency model."""

    classifier: CalibratedLinearClassifier
    blend_weight: float = 0.0
    blend_scores: dict[str, float] = field(default_factory=dict)


def fit_function_level(
    params: dict[str, Any],
    rows: TrainingRows,
    agency: AgencyLabels,
    catalogue: Catalogue | None,
    agency_model: tuple[CalibratedLinearClassifier, np.ndarray] | None,
    progress: Callable[[str], None],
) -> FunctionLevel | None:
    """The function model on every training row whose agency resolves to a function (and the
    taxonomy's own rows); with a catalogue and a deployment-level ``agency_model`` (and the
    rows it learned from), the share of each in the blend, by out-of-fold top-1 on the
    deployment's own reports. None: fewer than two functions among the real labels."""
    combined, prepared, in_train = rows.combined, rows.prepared, rows.in_train
    labels = task_labels(combined, "agency").where(pd.Series(in_train), None)
    allowed = agency_functions(labels, catalogue)
    if FUNCTION_COLUMN in combined:
        described = combined[FUNCTION_COLUMN].tolist()
        allowed = [(d,) if isinstance(d, str) else a for a, d in zip(allowed, described,
                                                                     strict=True)]  # fmt: skip
    learned = np.flatnonzero([bool(options) for options in allowed])
    if len({allowed[i][0] for i in learned if in_train[i]}) < 2:
        return None
    progress(f"fitting agency functions ({len(learned)} rows)")
    level = FunctionLevel(
        fit_function_classifier(
            params, rows.matrix[learned], [allowed[i] for i in learned], rows.times[learned]
        )
    )
    if catalogue is None or agency_model is None:
        return level
    classifier, agency_rows = agency_model
    position = {row: i for i, row in enumerate(learned)}
    both = [i for i, row in enumerate(agency_rows) if row in position]
    deployment_rows = agency_rows[both]
    spread = catalogue.spread(
        level.classifier.classes_,
        level.classifier.oof_proba_[[position[row] for row in deployment_rows]],
        prepared.iloc[deployment_rows].to_dict("records"),
        agency.opd_history,
    )
    own = resolve_offices(
        agency.places,
        TaskPredictions(classifier.classes_, classifier.oof_proba_[both]),
        prepared.iloc[deployment_rows].reset_index(drop=True),
    )
    names = catalogue.names()
    canonical = catalogue.canonical_series(task_labels(combined, "agency"))
    truth = np.array([names.index(label) for label in canonical.iloc[deployment_rows]])
    level.blend_weight, level.blend_scores = choose_blend_weight(
        spread, onto_catalogue(catalogue, own), truth
    )
    progress(
        f"agency blend: {level.blend_weight:.1f} deployment-level over "
        f"{len(deployment_rows)} of the deployment's own reports"
    )
    return level


def resolve_offices(
    places: PlaceOffices, agency: TaskPredictions, prepared: pd.DataFrame
) -> TaskPredictions:
    """Each row's own-office classes named as the office of its kelurahan or kecamatan."""
    own_office = places.generic_labels()
    generic = [i for i, c in enumerate(agency.classes) if c in own_office]
    labels = np.tile(agency.classes.astype(object), (len(prepared), 1))
    rows = records(prepared, ("district", "village"))
    for column in generic:
        label = agency.classes[column]
        labels[:, column] = [places.decode(label, row) for row in rows]
    return TaskPredictions(agency.classes, agency.proba, labels)


def catalogue_agency(
    catalogue: Catalogue,
    fitted_with: Catalogue | None,
    out: dict[str, TaskPredictions],
    prepared: pd.DataFrame,
    opd_history: dict[str, int],
    blend_weight: float,
) -> TaskPredictions:
    """Agency over the catalogue's names: the function level spread over its OPDs, blended
    with the deployment-level model where the catalogue is the deployment's own (the one
    ``fitted_with``, or an edited version of it: the same region)."""
    function = out[FUNCTION_TASK]
    own = fitted_with is not None and catalogue.region == fitted_with.region
    rows = records(prepared, PLACE_FIELDS)
    spread = catalogue.spread(function.classes, function.proba, rows, opd_history if own else None)
    deployment = onto_catalogue(catalogue, out["agency"]) if own and "agency" in out else None
    mixed = blend(spread, deployment, blend_weight)
    return TaskPredictions(np.array(catalogue.names(), dtype=object), mixed)
