"""The model tests share the small Router of ``tests/conftest.py``."""
