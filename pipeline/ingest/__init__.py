"""Importers: official LAPOR! exports, Surabaya-style exports and generic tables -> Reports.

Files are streamed: CSV/TSV with the standard library's csv reader (so a malformed record is
reported by its number and skipped), Parquet and JSONL through ``datasets`` in streaming mode, XLSX
through openpyxl's read-only mode. A bad row is reported and skipped while the rest imports; only
an unreadable file, an unknown format or a missing required column stops an import.
"""
