"""A fitted Router written as an older saved format wrote it, for the tests that load old
folders (the loader puts each task's parts together: :func:`models.router_folder.read_router`)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from unittest import mock

from sklearn.base import BaseEstimator

from models.linear import ReportVectorizer
from models.persistence import write_folder
from models.router import Router
from models.router_folder import router_config


def write_in_format(router: Router, folder: Path, version: int) -> Path:
    """``router`` saved as format ``version`` (8, 9 or 10) saved it. Formats 8 to 10 kept the
    sub-topic classifier among the text tasks with its parents and threshold beside it, and the
    encoder beside its ensemble weights; 8 and 9 also kept the urgency task in four attributes
    and the agency's routing in five; 8 wrote each vocabulary as a dict."""
    state = {k: v for k, v in router.__dict__.items() if k.endswith("_") and k != "version_"}
    subtopic, part = state.pop("subtopic_"), state.pop("encoder_")
    if subtopic is not None:
        state["classifiers_"] = {**state["classifiers_"], "subtopic": subtopic.classifier}
    state |= {"subtopic_parent_": subtopic.parents if subtopic else {},
              "subtopic_threshold_": subtopic.threshold if subtopic else 0.5,
              "encoder_": part.encoder if part else None,
              "ensemble_weights_": part.ensemble_weights if part else {}}  # fmt: skip
    if version < 10:
        urgency, agency = state.pop("urgency_"), state.pop("agency_")
        state |= {"urgent_text_": urgency.text_model, "urgency_": urgency.scorer,
                  "urgency_tiers_": urgency.tiers, "urgent_threshold_": urgency.threshold,
                  "places_": agency.places, "agency_sources_": agency.sources,
                  "opd_history_": agency.opd_history, "blend_weight_": agency.blend_weight,
                  "blend_scores_": agency.blend_scores}  # fmt: skip
    vocabulary_as_dict = (
        mock.patch.object(ReportVectorizer, "__getstate__", BaseEstimator.__getstate__)
        if version == 8
        else contextlib.nullcontext()
    )
    with vocabulary_as_dict:
        write_folder(folder, router.get_params(deep=False), state, router_config(router))
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "format_version": version}))
    return folder
