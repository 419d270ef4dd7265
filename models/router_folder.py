"""Saving and loading a Router: ``config.json`` (what a person or the registry reads), the
estimators and a model card, in one folder (:mod:`models.persistence`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from models.card import model_card
from models.persistence import read_folder, write_folder
from models.router import Router
from models.router_agency import AgencyRouting
from models.router_encoder import EncoderPart
from models.subtopic_model import SubtopicModel
from models.urgency_model import UrgencyModel

TRUSTED_TYPES = frozenset({
    "models.linear.CalibratedLinearClassifier", "models.linear.ReportVectorizer",
    "models.places.PlaceOffices", "models.urgency.UrgencyScorer",
    "models.urgency_tiers.UrgencyTiers", "models.urgency_model.UrgencyModel",
    "models.router_agency.AgencyRouting", "models.subtopic_model.SubtopicModel",
    "models.router_encoder.EncoderPart",
    "models.catalogue.Catalogue", "models.catalogue.Opd",
    "models.encoder.classifier.EncoderClassifier", "models.encoder.config.EncoderConfig",
    "models.regions.SourceAgencies", "models.regions.SourceRegions",
    "models.thresholds.RegionThresholds",
    "pathlib.PosixPath",
})  # fmt: skip
"""The only types besides scikit-learn's, numpy's and scipy's a saved Router may contain."""


def router_config(router: Router, training: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``config.json`` holds besides the format and library versions: family,
    hyperparameters, labels, thresholds and where the training data came from."""
    router.check_fitted()
    catalogue, urgency, encoder = router.catalogue_, router.urgency_, router.encoder_
    return {
        "family": router.family,
        "hyperparameters": {
            **router.get_params(deep=False),
            "task_params": router.task_params_,  # as fitted: the defaults filled in
            "target_precision": router.target_precision_,
            "encoder_config": asdict(router.encoder_config) if router.encoder_config else None,
            "encoder_dir": str(router.encoder_dir) if router.encoder_dir else None,
        },
        "labels": router.labels,
        "auto_routing": {
            task: thresholds.describe() for task, thresholds in router.auto_thresholds_.items()
        },
        "urgent_decision_threshold": urgency.threshold if urgency else None,
        "urgency_tiers": urgency.tiers.describe() if urgency else None,
        "skipped_tasks": router.skipped_,
        "agency_routing": {
            "catalogue": catalogue.region if catalogue else None,
            "catalogue_agencies": len(catalogue.opds) if catalogue else 0,
            "sources": {src: len(names) for src, names in router.agency_.sources.agencies.items()},
            "deployment_blend_weight": router.agency_.blend_weight,
            "blend_top1_by_weight": router.agency_.blend_scores,
        },
        "encoder": encoder.encoder.describe() if encoder is not None else None,
        "ensemble_weights": encoder.ensemble_weights if encoder is not None else {},
        "sentence_weights": router.sentence_weights_,
        "training": training or {},
    }


def write_router(
    router: Router,
    folder: Path,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Write ``config.json``, the estimators and a model card (``README.md``) to ``folder``.
    The registry gives the version (:func:`read_router` takes it), so saving changes nothing."""
    router.check_fitted()
    state = {
        k: v
        for k, v in router.__dict__.items()
        if k.endswith("_") and k not in ("_embedder", "version_")
    }
    config = router_config(router, training)
    card = model_card(config, metrics or {})
    return write_folder(folder, router.get_params(deep=False), state, config, card)


def read_router(folder: Path, version: str | None = None) -> Router:
    """A Router saved by :func:`write_router`, as registered ``version`` (e.g.
    ``lapor-router/7``, recorded in the Suggestions it makes); ModelFormatError, one sentence,
    if it cannot be loaded."""
    params, state, config = read_folder(folder, TRUSTED_TYPES)
    router = Router(**params)
    router.__dict__.update(_tasks_as_one_model_each(state, config["format_version"]))
    router.version_ = version
    return router


SEPARATE_URGENCY_PARTS = ("urgent_text_", "urgency_", "urgency_tiers_", "urgent_threshold_")
"""Formats 8 and 9 kept the urgency task in four attributes (the scorer under ``urgency_``)."""
SEPARATE_AGENCY_PARTS = {"places_": "places", "agency_sources_": "sources",
                         "opd_history_": "opd_history", "blend_weight_": "blend_weight",
                         "blend_scores_": "blend_scores"}  # fmt: skip
"""... and the agency task's routing in five (each one's field of :class:`AgencyRouting`)."""


def _tasks_as_one_model_each(state: dict[str, Any], format_version: int) -> dict[str, Any]:
    """A saved state with each task's parts as one object, as fitting leaves them: the
    sub-topic task as one :class:`SubtopicModel` and the encoder head as one
    :class:`EncoderPart` (formats 8 to 10 kept their parts apart), the urgency task as one
    :class:`UrgencyModel` and the agency task's routing as one :class:`AgencyRouting` (formats
    8 and 9)."""
    if format_version >= 11:
        return state
    state = dict(state)
    classifiers = dict(state["classifiers_"])
    subtopic = classifiers.pop("subtopic", None)
    parents, shown_from = state.pop("subtopic_parent_"), state.pop("subtopic_threshold_")
    state["classifiers_"] = classifiers
    state["subtopic_"] = (
        SubtopicModel(subtopic, parents, shown_from) if subtopic is not None else None
    )
    encoder, weights = state.pop("encoder_"), state.pop("ensemble_weights_")
    state["encoder_"] = EncoderPart(encoder, weights) if encoder is not None else None
    if format_version >= 10:
        return state
    text_model, scorer, tiers, threshold = (state.pop(k, None) for k in SEPARATE_URGENCY_PARTS)
    state["urgency_"] = (
        UrgencyModel(text_model, scorer, tiers, threshold) if scorer is not None else None
    )
    parts = {field: state.pop(key) for key, field in SEPARATE_AGENCY_PARTS.items() if key in state}
    state["agency_"] = AgencyRouting(**parts)
    return state
