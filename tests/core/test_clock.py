"""The deployment's clock: one of Indonesia's three zones, from its province, whatever the
server's own clock says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import as_local, local_now, use_zone, with_offset, zone_name, zone_of_province


@pytest.fixture(autouse=True)
def back_to_wib() -> Iterator[None]:
    yield
    use_zone("WIB")


def test_each_province_has_its_zone() -> None:
    assert zone_of_province("Jawa Barat") == "WIB"
    assert zone_of_province("Kalimantan Timur") == "WITA"
    assert zone_of_province("Provinsi Sulawesi Selatan") == "WITA"
    assert zone_of_province("Papua Pegunungan") == "WIT"
    assert zone_of_province(None) == "WIB"
    with pytest.raises(ValueError, match="unknown time zone"):
        use_zone("UTC")


def test_the_clock_is_the_deployments_not_the_servers() -> None:
    use_zone("Asia/Makassar")
    assert zone_name() == "WITA"
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    assert abs(local_now() - (utc_now + timedelta(hours=8))) < timedelta(seconds=5)
    stored = datetime(2026, 12, 6, 9, 30)
    assert with_offset(stored).isoformat() == "2026-12-06T09:30:00+08:00"
    assert as_local(datetime(2026, 12, 6, 1, 30, tzinfo=UTC)) == stored
    use_zone("WIT")
    assert with_offset(stored).utcoffset() == timedelta(hours=9)
