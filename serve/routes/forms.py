"""What the UI tells a person whose form was refused: the fields and what is wrong with them,
in Indonesian, on the page of the form (never the API's JSON)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import HTTPException, Request

FIELD_NAMES = {
    "username": "Nama pengguna",
    "password": "Kata sandi",
    "action": "Tindakan",
    "agency": "OPD",
    "topic": "Topik",
    "channel": "Jenis laporan",
    "urgent": "Mendesak",
    "duplicate_of": "Duplikat dari",
    "note": "Catatan",
    "status": "Status",
    "version": "Versi laporan",
    "name": "Nama",
    "role": "Peran",
    "change": "Perubahan",
    "page": "Halaman",
}
OUR_MESSAGES = {
    "an override must set agency, topic, channel, urgent or duplicate_of": (
        "koreksi harus mengubah sesuatu: OPD, topik, jenis, mendesak, atau duplikat"
    ),
    "not one of the LAPOR! categories (see GET /api/v1/labels)": "bukan kategori LAPOR!",
    "contains a NUL character": "berisi karakter NUL",
    "a reroute needs the new agency and the reason in note": (
        "meneruskan ke OPD lain perlu OPD baru dan alasannya"
    ),
}
"""The validators' own messages (see serve.schemas), as staff read them."""


def _message(error: Mapping[str, Any]) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error":
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        return OUR_MESSAGES.get(text, "tidak valid")
    if kind == "missing":
        return "wajib diisi"
    if kind == "string_too_long":
        return f"paling banyak {context.get('max_length')} karakter"
    if kind == "string_too_short":
        return f"paling sedikit {context.get('min_length')} karakter"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "harus berupa bilangan bulat"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "di luar rentang yang diizinkan"
    if kind in ("literal_error", "enum"):
        return "bukan salah satu pilihan yang tersedia"
    return "tidak valid"


def indonesian_errors(errors: Iterable[Mapping[str, Any]]) -> str:
    """Each refused field with what is wrong with it: "OPD: wajib diisi; Catatan: ..."."""
    parts = []
    for error in list(errors)[:5]:
        fields = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        label = FIELD_NAMES.get(fields[-1], fields[-1]) if fields else "Isian"
        parts.append(f"{label}: {_message(error)}")
    return "Isian belum benar. " + "; ".join(parts) + "."


def form_page(path: str) -> str:
    """The page whose form posts to ``path`` (a report's decision and status forms are on the
    report's page; the other forms post to their own page)."""
    return path.removesuffix("/keputusan").removesuffix("/status")


async def refuse_nul_in_forms(request: Request) -> None:
    """Every UI form: a NUL character in any field is refused (422) before a route reads it,
    since PostgreSQL cannot store or even compare one. (The API's bodies refuse it in
    :class:`serve.schemas.ClientInput`.)"""
    if request.method != "POST":
        return
    form = await request.form()
    if any(isinstance(value, str) and "\x00" in value for value in form.values()):
        raise HTTPException(422, "Karakter NUL tidak diizinkan.")
