"""services/rollups/sketch.py against the ``ddsketch`` package and against exact quantiles.

The module's guarantee (its docstring): a value ``v >= MIN_VALUE`` lands in bucket
``ceil(log_gamma(v))`` and is answered as that bucket's midpoint ``2 gamma^k / (gamma + 1)``,
so every quantile is within relative accuracy ``RELATIVE_ACCURACY`` (1%) of the exact one;
values below ``MIN_VALUE`` count as zero.  The quantile of rank ``q * (n - 1)`` is the lower
one (``sorted(values)[floor(q * (n - 1))]``), as in ``ddsketch.DDSketch.get_quantile_value``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from ddsketch import DDSketch
from hypothesis import given, settings
from hypothesis import strategies as st

from services.rollups.sketch import LOG_GAMMA, MIN_VALUE, RELATIVE_ACCURACY, Sketch

QUANTILES = (0.5, 0.9, 0.95, 0.99)
GAMMA = math.exp(LOG_GAMMA)
# the bucket midpoint is exactly ``a`` away from both bucket edges; allow float rounding on top
TOLERANCE = RELATIVE_ACCURACY * (1 + 1e-9)

FAST = settings(max_examples=60, deadline=None, derandomize=True)

# latencies in ms and friends: from MIN_VALUE up to far past anything real (DDSketch itself
# overflows near float max, so the range stops at 1e300)
positive = st.floats(min_value=MIN_VALUE, max_value=1e300, allow_nan=False, allow_infinity=False)
values_lists = st.lists(positive, min_size=1, max_size=200)
with_zeros = st.lists(st.one_of(positive, st.just(0.0)), min_size=1, max_size=200)
quantile = st.one_of(st.sampled_from((0.0, 0.5, 0.9, 0.95, 0.99, 1.0)), st.floats(min_value=0.0, max_value=1.0))


def sketch_of(values: list[float]) -> Sketch:
    sketch = Sketch()
    for v in values:
        sketch.add(v)
    return sketch


def reference_of(values: list[float]) -> DDSketch:
    reference = DDSketch(relative_accuracy=RELATIVE_ACCURACY)
    for v in values:
        reference.add(v)
    return reference


def exact(values: list[float], q: float) -> float:
    """The lower quantile, with the same rank arithmetic as ddsketch (``q * (count - 1)``)."""
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def within(answer: float, truth: float) -> bool:
    if truth == 0.0:
        return answer == 0.0
    return abs(answer - truth) <= TOLERANCE * truth


def same_or_adjacent_bucket(mine: float, theirs: float) -> bool:
    """Same bucket, or the neighbour: ``log(v)/ln(gamma)`` vs ddsketch's ``log(v)*(1/log1p(..))``
    can round differently for a value exactly on a bucket edge."""
    if mine == theirs == 0:
        return True
    steps = math.log(mine / theirs) / LOG_GAMMA
    return abs(steps) < 1e-6 or abs(abs(steps) - 1) < 1e-6


def assert_accurate(values: list[float], qs=QUANTILES) -> None:
    sketch, reference = sketch_of(values), reference_of(values)
    for q in qs:
        mine, theirs, truth = sketch.quantile(q), reference.get_quantile_value(q), exact(values, q)
        assert within(mine, truth), (q, mine, truth)
        assert within(theirs, truth), (q, theirs, truth)  # the reference keeps the same promise
        assert same_or_adjacent_bucket(mine, theirs), (q, mine, theirs)


# --- accuracy ------------------------------------------------------------------------------


@FAST
@given(values_lists)
def test_quantiles_within_relative_accuracy(values):
    assert_accurate(values)


@FAST
@given(with_zeros)
def test_zeros(values):
    assert_accurate(values)
    sketch = sketch_of(values)
    assert sketch.zeros == values.count(0.0)
    assert sketch.count == len(values)


@FAST
@given(values_lists, quantile)
def test_any_quantile_within_relative_accuracy(values, q):
    assert_accurate(values, (q,))


@FAST
@given(st.lists(st.floats(min_value=0.0, max_value=60.0), min_size=1, max_size=300))
def test_huge_range(exponents):
    """Values spread over 60 orders of magnitude, 1e-9 .. 1e51 (log-uniform)."""
    assert_accurate([MIN_VALUE * 10**e for e in exponents], (0.0, *QUANTILES, 1.0))


@pytest.mark.parametrize("value", [MIN_VALUE, 1e-6, 0.5, 1.0, 1.01, GAMMA, 2.0, 123.456, 1e9, 1e300])
def test_single_value(value):
    assert_accurate([value], (0.0, *QUANTILES, 1.0))


@pytest.mark.parametrize("k", [-1000, -1, 0, 1, 2, 57, 1000, 30000])
def test_values_on_bucket_edges(k):
    """``gamma**k`` is the worst case: exactly ``a`` from the midpoint (plus log rounding)."""
    assert_accurate([GAMMA**k, GAMMA**k, GAMMA ** (k + 1)], (0.0, 0.5, 1.0))


def test_empty_and_zero_only():
    assert Sketch().quantile(0.5) is None
    sketch = sketch_of([0.0, 0.0, 0.0])
    assert [sketch.quantile(q) for q in QUANTILES] == [0.0] * 4
    assert reference_of([0.0, 0.0, 0.0]).get_quantile_value(0.5) == 0


@pytest.mark.parametrize("value", [1e-10, 5e-324, 0.0, -1.0])
def test_values_below_min_value_count_as_zero(value):
    """Documented: below MIN_VALUE (1e-9) a value is a zero (ddsketch would index 1e-10)."""
    sketch = sketch_of([value, 5.0])
    assert sketch.zeros == 1 and sketch.count == 2
    assert sketch.quantile(0.0) == 0.0
    assert within(sketch.quantile(1.0), 5.0)


@FAST
@given(values_lists, st.lists(quantile, min_size=1, max_size=5), values_lists)
def test_answers_are_not_stale_after_adds(first, qs, more):
    """quantile() caches its answers; an add in between must invalidate them."""
    sketch = sketch_of(first)
    for q in qs:
        sketch.quantile(q)
    for v in more:
        sketch.add(v)
    fresh = sketch_of(first + more)
    assert [sketch.quantile(q) for q in qs] == [fresh.quantile(q) for q in qs]


# --- mergeability --------------------------------------------------------------------------


def _form(sketch: Sketch, dense: bool) -> Sketch:
    return Sketch.dense_from_json(sketch.to_json()) if dense else Sketch.from_json(sketch.to_json())


def _answers(sketch: Sketch, qs=(0.0, *QUANTILES, 1.0)) -> list[float | None]:
    return [sketch.quantile(q) for q in qs]


@FAST
@given(with_zeros, with_zeros)
def test_merge_equals_sketch_of_concatenation(a, b):
    merged = sketch_of(a).merge(sketch_of(b))
    whole = sketch_of(a + b)
    assert merged.to_json() == whole.to_json()
    assert merged.count == whole.count == len(a) + len(b)
    assert _answers(merged) == _answers(whole)
    # and the reference agrees that merging is lossless
    reference = reference_of(a)
    reference.merge(reference_of(b))
    for q in QUANTILES:
        assert same_or_adjacent_bucket(merged.quantile(q), reference.get_quantile_value(q))


@FAST
@given(
    st.lists(st.tuples(with_zeros, st.booleans()), min_size=1, max_size=6),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_merge_in_any_order_and_form(parts, dense_target, rnd):
    """Dict and dense (``dense_from_json``) sketches merge into either form, in any order."""
    everything = [v for values, _ in parts for v in values]
    whole = sketch_of(everything)
    sources = [_form(sketch_of(values), dense) for values, dense in parts]
    before = [s.to_json() for s in sources]
    order = list(range(len(sources)))
    rnd.shuffle(order)
    target = Sketch.dense_from_json({}) if dense_target else Sketch()
    for i in order:
        target.quantile(0.5)  # a cached answer must not survive the merge
        target.merge(sources[i])
    assert target.count == whole.count
    assert _answers(target) == _answers(whole)
    assert Sketch.from_json(target.to_json()).to_json() == whole.to_json()
    assert [s.to_json() for s in sources] == before  # merging never changes the merged-in sketch


@FAST
@given(with_zeros)
def test_merge_with_empty_is_identity(values):
    sketch = sketch_of(values)
    assert sketch_of(values).merge(Sketch()).to_json() == sketch.to_json()
    assert Sketch().merge(sketch).to_json() == sketch.to_json()
    assert _answers(Sketch().merge(_form(sketch, dense=True))) == _answers(sketch)


# --- serialization -------------------------------------------------------------------------


@FAST
@given(with_zeros, quantile)
def test_json_round_trip(values, q):
    sketch = sketch_of(values)
    stored = json.loads(json.dumps(sketch.to_json()))
    for parsed in (Sketch.from_json(stored), Sketch.dense_from_json(stored)):
        assert parsed.count == sketch.count and parsed.zeros == sketch.zeros
        assert parsed.to_json() == sketch.to_json()
        assert parsed.quantile(q) == sketch.quantile(q)
        assert _answers(parsed) == _answers(sketch)


@pytest.mark.parametrize("data", [None, {}, {"z": 0, "b": {}}])
def test_empty_json(data):
    for parsed in (Sketch.from_json(data), Sketch.dense_from_json(data)):
        assert parsed.count == 0 and parsed.quantile(0.5) is None


@FAST
@given(values_lists)
def test_set_dense_matches_add(values):
    """What the raw-edge reader does: bucket keys -> bincount -> set_dense (count is the caller's)."""
    keys = np.array([math.ceil(math.log(v) / LOG_GAMMA) for v in values])
    lo = int(keys.min())
    sketch = Sketch()
    sketch.set_dense(lo, np.bincount(keys - lo))
    sketch.count = len(values)
    assert _answers(sketch) == _answers(sketch_of(values))
