"""The paired sign-flip test that compares sampled rewards (shares of correct samples) of two models."""

from math import comb

import pytest

from text2sql.core.stats import sign_flip_test


def test_equal_arms_are_not_different():
    assert sign_flip_test([0.5, 0.25, 1.0], [0.5, 0.25, 1.0]) == 1.0


def test_exact_p_matches_the_binomial_when_every_difference_has_the_same_size():
    # 8 questions each up by 0.125 and none down: only the all-plus and all-minus assignments are as extreme
    a, b = [0.0] * 8 + [0.5] * 4, [0.125] * 8 + [0.5] * 4
    assert sign_flip_test(a, b) == pytest.approx(2 / 2**8)
    # 7 up, 2 down, same size: as a two-sided sign test, 2 * P(X <= 2) for X ~ Bin(9, 1/2)
    a, b = [0.0] * 9, [0.25] * 7 + [-0.25] * 2
    assert sign_flip_test(a, b) == pytest.approx(2 * sum(comb(9, i) for i in range(3)) / 2**9)


def test_direction_does_not_matter_and_sampling_is_used_beyond_20_differences():
    a = [0.0] * 30
    b = [0.25] * 20 + [-0.125] * 10
    p = sign_flip_test(a, b)
    assert p == sign_flip_test(b, a) and 0.0 < p < 0.05  # sampled (30 differences), seeded: repeatable
    with pytest.raises(ValueError):
        sign_flip_test([0.0], [0.0, 1.0])
