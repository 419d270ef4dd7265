"""The embedded demo deployment's first start: a Router and a pair scorer are trained and
promoted when none is registered (what `make run` needs on a fresh machine). Its catalogue is
set up by the service (:class:`serve.deployment.Deployment`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from models.catalogue import Catalogue
from models.duplicates.embeddings import Embeddings
from models.duplicates.scorer import PairScorer
from pipeline.dedupe import DEMO_NO_ADDRESS_SHARE, pair_metrics, synthetic_pairs
from pipeline.registry.client import (
    CHAMPION,
    DUPLICATES_MODEL,
    RegistryError,
    alias_version,
    champion_uri,
    set_champion,
)
from pipeline.registry.pyfunc import load_router, load_scorer, log_duplicates
from pipeline.sources import DataSpec
from pipeline.train import TrainingSetup, train


def ensure_champion(
    demo_data: Path,
    setup: TrainingSetup,
    catalogue: Catalogue | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> str:
    """The champion's URI; if no model is registered yet, train one on ``demo_data`` (agency
    over ``catalogue``, the deployment's) and promote it (the embedded default that ``make run``
    serves). A champion this code cannot load (saved by
    an older lapor-router) is replaced the same way, so ``make run`` never stops at it."""
    name = setup.model_name
    uri = champion_uri(name)
    if alias_version(name, CHAMPION) is not None:
        try:
            load_router(uri)
            return uri
        except RegistryError as exc:  # saved by an older lapor-router: the demo starts anew
            progress(f"the champion cannot be loaded ({exc}); training a new demo model")
    else:
        progress(f"no champion registered: training on the demo corpus {demo_data}")
    result = train(DataSpec(demo_data, "auto"), setup, progress=progress, catalogue=catalogue)
    progress(f"registered {result.model_uri}")
    set_champion(name, result.model_uri.rsplit("/", 1)[1])
    return uri


def ensure_duplicates_champion(
    synthetic_reports: int = 3_000, progress: Callable[[str], None] = lambda step: None
) -> None:
    """If no duplicate scorer is champion yet, fit one on synthetic chains only and promote it
    (the embedded demo deployment, which has no labelled real pairs)."""
    if alias_version(DUPLICATES_MODEL, CHAMPION) is not None:
        try:
            load_scorer(champion_uri(DUPLICATES_MODEL))
            return
        except RegistryError as exc:
            progress(f"the champion pair scorer cannot be loaded ({exc}); fitting a new one")
    else:
        progress("no duplicate scorer registered: fitting one on synthetic duplicate chains")
    pairs, y = synthetic_pairs(synthetic_reports, seed=42, no_address_share=DEMO_NO_ADDRESS_SHARE)
    texts = [pair[side].text for pair in pairs for side in (0, 1)]
    scorer = PairScorer().fit(texts, pairs, y, embedder=Embeddings())
    proba = scorer.predict_proba_pairs(pairs)
    metrics = pair_metrics(y, proba >= scorer.threshold_, scorer.threshold_)
    config = {"data": "synthetic", "synthetic_reports": synthetic_reports}
    uri = log_duplicates(scorer, config, metrics)
    set_champion(DUPLICATES_MODEL, uri.rsplit("/", 1)[1])
    progress(f"registered and promoted {uri}")
