import pytest

from cme.accounts.actions import create_api_token
from cme.api.tests.helpers import ApiCaller


@pytest.fixture
def api(client, cast):
    """api("changsha").get("/persons") → the response for that member of the cast."""
    tokens: dict[str, str] = {}

    def _as(key: str) -> ApiCaller:
        if key not in tokens:
            _record, tokens[key] = create_api_token(actor=cast.users[key], name="测试")
        return ApiCaller(client, tokens[key])

    return _as
