"""Saving and loading a Router: ``config.json`` (what a person or the registry reads), the
estimators and a model card, in one folder (:mod:`models.persistence`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Self

from sklearn.exceptions import NotFittedError

from models.card import model_card
from models.persistence import read_folder, write_folder

TRUSTED_TYPES = frozenset({
    "models.linear.CalibratedLinearClassifier", "models.linear.ReportVectorizer",
    "models.places.PlaceOffices", "models.urgency.UrgencyScorer",
    "models.urgency_tiers.UrgencyTiers", "models.catalogue.Catalogue", "models.catalogue.Opd",
    "models.encoder.classifier.EncoderClassifier", "models.encoder.config.EncoderConfig",
    "models.regions.SourceAgencies", "models.regions.SourceRegions",
    "models.thresholds.RegionThresholds",
    "pathlib.PosixPath",
})  # fmt: skip
"""The only types besides scikit-learn's, numpy's and scipy's a saved Router may contain."""


class RouterFolder:
    """Mixed into the Router: its config, save and load."""

    def config(self, training: dict[str, Any] | None = None) -> dict[str, Any]:
        """What ``config.json`` holds besides the format and library versions: version,
        family, hyperparameters, labels, thresholds and where the training data came from."""
        self._check_fitted()
        return {
            "family": self.family,
            "hyperparameters": {
                **self.get_params(deep=False),
                "task_params": self.task_params_,  # as fitted: the defaults filled in
                "target_precision": self.target_precision_,
                "encoder_config": asdict(self.encoder_config) if self.encoder_config else None,
                "encoder_dir": str(self.encoder_dir) if self.encoder_dir else None,
            },
            "labels": self.labels,
            "auto_routing": {
                task: thresholds.describe() for task, thresholds in self.auto_thresholds_.items()
            },
            "urgent_decision_threshold": self.urgent_threshold_,
            "urgency_tiers": self.urgency_tiers_.describe() if self.urgency_tiers_ else None,
            "skipped_tasks": self.skipped_,
            "agency_routing": {
                "catalogue": self.catalogue_.region if self.catalogue_ else None,
                "catalogue_agencies": len(self.catalogue_.opds) if self.catalogue_ else 0,
                "sources": {
                    src: len(names) for src, names in self.agency_sources_.agencies.items()
                },
                "deployment_blend_weight": self.blend_weight_,
                "blend_top1_by_weight": self.blend_scores_,
            },
            "encoder": self.encoder_.describe() if self.encoder_ is not None else None,
            "ensemble_weights": self.ensemble_weights_,
            "sentence_weights": self.sentence_weights_,
            "training": training or {},
        }

    def save(
        self,
        folder: Path,
        training: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> Path:
        """Write ``config.json``, the estimators and a model card (``README.md``) to ``folder``.
        The registry gives the version (:meth:`load` takes it), so saving changes nothing."""
        self._check_fitted()
        state = {
            k: v
            for k, v in self.__dict__.items()
            if k.endswith("_") and k not in ("_embedder", "version_")
        }
        config = self.config(training)
        card = model_card(config, metrics or {})
        return write_folder(folder, self.get_params(deep=False), state, config, card)

    @classmethod
    def load(cls, folder: Path, version: str | None = None) -> Self:
        """A Router saved by :meth:`save`, as registered ``version`` (e.g. ``lapor-router/7``,
        recorded in the Suggestions it makes); ModelFormatError, one sentence, if it cannot be
        loaded."""
        params, state, _ = read_folder(folder, TRUSTED_TYPES)
        router = cls(**params)
        router.__dict__.update(state)
        router.version_ = version
        return router

    def _check_fitted(self) -> None:
        if getattr(self, "vectorizer_", None) is None:
            raise NotFittedError("this Router is not fitted yet: call fit first")
