"""The draw is a pure function: stratified, deterministic for a seed, at least one per
non-empty stratum when the rate is above 0."""

from decimal import Decimal

from cme.inspections.draw import Candidate, draw, sample_size

POOL = [Candidate("provincial", "430100", pk) for pk in range(1, 41)] + [
    Candidate("national", "430200", pk) for pk in range(41, 44)
]


def _ids(result):
    return {key: [c.pk for c in picks] for key, picks in result.items()}


def test_the_same_seed_gives_the_same_sample_whatever_the_input_order():
    first = draw(POOL, Decimal("0.2"), 7)
    again = draw(list(reversed(POOL)), Decimal("0.2"), 7)
    assert _ids(first) == _ids(again)


def test_a_different_seed_usually_gives_a_different_sample():
    samples = {
        tuple(_ids(draw(POOL, Decimal("0.2"), seed))[("provincial", "430100")])
        for seed in range(10)
    }
    assert len(samples) > 1


def test_each_stratum_gets_its_share_and_at_least_one():
    result = draw(POOL, Decimal("0.1"), 1)
    assert len(result[("provincial", "430100")]) == 4
    assert len(result[("national", "430200")]) == 1  # 0.3 rounds to 0, yet one is drawn
    assert all(c.stratum == ("national", "430200") for c in result[("national", "430200")])


def test_a_count_per_stratum_is_capped_by_the_stratum():
    result = draw(POOL, 5, 3)
    assert len(result[("provincial", "430100")]) == 5
    assert len(result[("national", "430200")]) == 3


def test_sample_size_rounds_half_up():
    assert sample_size(5, Decimal("0.5")) == 3
    assert sample_size(0, Decimal("0.5")) == 0
    assert sample_size(10, Decimal(1)) == 10
    assert draw([], Decimal("0.5"), 1) == {}
