"""The stratified random draw of a spot check: a pure function, deterministic for a seed.

Candidates are sorted by id inside each stratum and strata are visited in sorted order,
all from one `random.Random(seed)`, so anyone with the candidate list and the seed can
repeat the draw and get the same sample.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from random import Random


@dataclass(frozen=True, order=True)
class Candidate:
    """A project that may be drawn: its id and its stratum (level × city code)."""

    level: str
    city: str
    pk: int

    @property
    def stratum(self) -> tuple[str, str]:
        return (self.level, self.city)


def sample_size(size: int, rate_or_n: int | Decimal) -> int:
    """How many to draw from a stratum of `size`: an int is a count per stratum, a Decimal
    a rate (rounded half up, at least one when the rate is above 0)."""
    if size <= 0:
        return 0
    if isinstance(rate_or_n, Decimal):
        if rate_or_n <= 0:
            return 0
        wanted = int((rate_or_n * size).to_integral_value(rounding=ROUND_HALF_UP))
        return min(size, max(1, wanted))
    return min(size, max(0, rate_or_n))


def draw(
    projects: Iterable[Candidate], rate_or_n: int | Decimal, seed: int
) -> dict[tuple[str, str], list[Candidate]]:
    """{stratum: drawn candidates sorted by id} for every non-empty stratum."""
    strata: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in projects:
        strata[candidate.stratum].append(candidate)
    rng = Random(seed)  # noqa: S311 -- a reproducible sample, not a secret
    out = {}
    for key in sorted(strata):
        pool = sorted(strata[key], key=lambda c: c.pk)
        k = sample_size(len(pool), rate_or_n)
        out[key] = sorted(rng.sample(pool, k), key=lambda c: c.pk)
    return out


def expected_total(sizes: Iterable[int], rate_or_n: int | Decimal) -> int:
    return sum(sample_size(n, rate_or_n) for n in sizes)
