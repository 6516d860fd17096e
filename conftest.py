import pytest


@pytest.fixture(scope="session")
def _signing_dir(tmp_path_factory):
    """One certificate-signing key for the whole run (made on first use), never the real one."""
    return tmp_path_factory.mktemp("signing")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path, _signing_dir):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERT_SIGNING_DIR = _signing_dir


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached (ids repeat across tests)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Chinese: a request with the English cookie leaves English active in
    the test's thread (LanguageMiddleware activates per request and, for streamed downloads,
    does not switch back), and a later test would store English labels."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def ensure_regions() -> None:
    """Reference data comes from data migrations; a transactional test (the browser tests)
    flushes every table when it ends, so a later test, or a later run with --reuse-db,
    loads it again (each loader only adds what is missing)."""
    from cme.credits.catalogue import load_sources
    from cme.credits.models import CreditSource
    from cme.orgs.models import Region
    from cme.orgs.regions import load_regions
    from cme.policy.data import load_disciplines, load_policy
    from cme.policy.models import Discipline, PolicyValue

    if not Region.objects.exists():
        load_regions(Region)
    load_policy(PolicyValue)
    load_disciplines(Discipline)
    load_sources(CreditSource)


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
