import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ensure_regions() -> None:
    """Regions come from a data migration; a transactional test (the browser tests) flushes
    every table when it ends, so a later test, or a later run with --reuse-db, reloads them."""
    from cme.orgs.models import Region
    from cme.orgs.regions import load_regions

    if not Region.objects.exists():
        load_regions(Region)


@pytest.fixture
def cast(db):
    from cme.demo.builders import build_cast

    ensure_regions()
    return build_cast()


@pytest.fixture
def login(client, cast):
    """login("changsha") → a client logged in as that member of the cast."""

    def _login(key: str):
        client.force_login(cast.users[key])
        return client

    return _login
