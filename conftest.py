import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ensure_regions() -> None:
    """Reference data comes from data migrations; a transactional test (the browser tests)
    flushes every table when it ends, so a later test, or a later run with --reuse-db,
    loads it again (each loader only adds what is missing)."""
    from cme.orgs.models import Region
    from cme.orgs.regions import load_regions
    from cme.policy.data import load_disciplines, load_policy
    from cme.policy.models import Discipline, PolicyValue

    if not Region.objects.exists():
        load_regions(Region)
    load_policy(PolicyValue)
    load_disciplines(Discipline)


@pytest.fixture(scope="session", autouse=True)
def _reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_regions()


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
