"""What the encoder family learns and its options: light, so choosing a family needs no torch."""

from __future__ import annotations

from dataclasses import dataclass

ENCODER_TASKS = ("agency", "topic", "channel")
"""The tasks the encoder learns; sub-topic and urgency stay with the linear family."""


@dataclass
class EncoderConfig:
    """Training and inference options (the defaults are the ones measured on the real split)."""

    max_length: int = 128
    epochs: int = 3
    max_steps: int | None = None
    """Stop after this many optimiser steps (tests run a couple)."""
    batch_size: int = 16
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    warmup_share: float = 0.06
    weight_decay: float = 0.01
    layers: int | None = None
    """Keep only the first N transformer layers (None: all 12)."""
    freeze_embeddings: bool = True
    extra_vocabulary: int = 16_000
    """Besides the corpus' own tokens, keep the N most likely vocabulary pieces."""
    quantize: bool = True
    """Dynamic int8 linear layers at inference."""
    prefix: str = "query: "
    seed: int = 0
