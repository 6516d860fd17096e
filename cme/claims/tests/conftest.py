import datetime
import zoneinfo

import pytest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2024, 6, 15, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def now(time_machine):
    """Mid-2024: the claims of the tests belong to this year."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def hunan(now, cast):
    """The fixed cast, in June 2024."""
    return cast
