import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db):
    from cme.demo.builders import build_cast

    return build_cast()


@pytest.fixture
def login(client, cast):
    """login("changsha") → a client logged in as that member of the cast."""

    def _login(key: str):
        client.force_login(cast.users[key])
        return client

    return _login
