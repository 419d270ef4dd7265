"""Where the real data is missing, its tests skip and say where it is expected."""

from __future__ import annotations

import pytest


def test_a_missing_real_data_file_skips_with_a_clear_message() -> None:
    from tests.conftest import shared_file

    with pytest.raises(pytest.skip.Exception, match=r"\.\./shared/data beside the repository"):
        shared_file("no-such-export.csv")
