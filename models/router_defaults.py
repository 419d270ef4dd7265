"""The Router's defaults: its model families and each task's hyperparameters and target
precision, which ``Router(task_params=..., target_precision=...)`` overrides task by task."""

from __future__ import annotations

from typing import Any

from models.task_fitting import AUTO_CLASS_WEIGHT
from models.thresholds import TARGET_PRECISION

FAMILIES = ("linear", "encoder", "ensemble")
"""linear: TF-IDF + linear SVMs; encoder: fine-tuned e5 for agency/topic/channel; ensemble: the
two mixed with per-task weights tuned on validation."""
SENTENCE_FEATURE_WEIGHTS = {"agency": 0.5}
"""Tasks whose linear features gain multilingual USE sentence embeddings, when asked for: on the
real split's tuning month agency top-1 rose 0.761 -> 0.771 at weight 0.5 (1.0: 0.763); topic did
not move (0.807 either way), so it does without (benchmarks/encoder.py)."""
DEFAULT_TARGET_PRECISION = dict.fromkeys(
    ("agency", "topic", "channel", "supervision", "urgent"), TARGET_PRECISION
)
DEFAULT_TASK_PARAMS: dict[str, dict[str, Any]] = {
    # "auto": unweighted or balanced, whichever predicts the training rows' held-out folds
    # better (Surabaya's ~35 reports per OPD: unweighted; Bandung's ~13: balanced, +4 points
    # of agency top-1 on its 2023 reports)
    "agency": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    "topic": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    "subtopic": {"C": 0.3, "class_weight": None},
    # by held-out macro-F1: Surabaya's hand labels balanced (0.58 vs 0.51 on cross-validation),
    # Bandung's portal labels unweighted (0.41 vs 0.38 on its 2023 reports)
    "channel": {"C": 0.5, "class_weight": AUTO_CLASS_WEIGHT},
    "function": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    # balanced: the rare class matters as much as the common one
    "supervision": {"C": 0.5, "class_weight": "balanced"},
    "urgent": {"C": 0.5, "class_weight": "balanced"},
}
INTENT_WEIGHT = 0.5
"""Scale of the intent cues appended to the channel task's text features."""
