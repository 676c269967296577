"""services/analytics/stats.py and services/analytics/trend.py against SciPy.

stats.py is pure Python (Student's t through the incomplete beta function, Welch's test
from summary statistics, the pooled two-proportion z-test, least squares); SciPy is the
reference here only.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sp

from services.analytics import stats, trend

FAST = settings(max_examples=80, deadline=None, derandomize=True)

# degrees of freedom as Welch's formula and the trend test produce them: from below 1 up to
# millions of executions
dfs = st.one_of(st.integers(min_value=1, max_value=10_000).map(float), st.floats(min_value=0.5, max_value=1e6))
ts = st.one_of(st.floats(min_value=-50.0, max_value=50.0), st.floats(min_value=-1e4, max_value=1e4))


def close(got: float, want: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return math.isclose(got, want, rel_tol=rel, abs_tol=abs_)


def p_close(got: float, want: float, t: float, df: float, rel: float = 1e-8) -> bool:
    """A t-test p-value, to ``rel`` (near p = 1 too: see test_t_two_sided_p_near_one)."""
    return close(got, want, rel=rel, abs_=1e-13)


# --- the t distribution ----------------------------------------------------------------------


@FAST
@given(ts, dfs)
def test_t_two_sided_p_matches_scipy(t, df):
    want = 2.0 * sp.t.sf(abs(t), df)
    got = stats.t_two_sided_p(t, df)
    assert 0.0 <= got <= 1.0
    assert got == stats.t_two_sided_p(-t, df)
    assert p_close(got, want, t, df), (t, df, got, want)


@pytest.mark.parametrize(("t", "df"), [(1e-5, 4655.0), (6.3e-6, 1e6), (1e-7, 1e4)])
def test_t_two_sided_p_near_one(t, df):
    """p near 1 (|t| << 1) used to lose digits to 1 - x, up to ~sqrt(eps * df); the complement form keeps them."""
    assert close(stats.t_two_sided_p(t, df), 2.0 * sp.t.sf(t, df), rel=1e-10, abs_=1e-12)


@pytest.mark.parametrize("df", [1.0, 2.0, 30.0, 1e6])
def test_t_two_sided_p_edges(df):
    assert stats.t_two_sided_p(0.0, df) == 1.0
    assert stats.t_two_sided_p(math.inf, df) == 0.0
    assert stats.t_two_sided_p(-math.inf, df) == 0.0


@FAST
@given(dfs, st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_t_critical_matches_scipy_ppf(df, confidence):
    want = sp.t.ppf(1 - (1 - confidence) / 2, df)
    assert close(stats.t_critical(df, confidence), want, rel=1e-8), (df, confidence)


@FAST
@given(
    st.floats(min_value=0.05, max_value=500.0),
    st.floats(min_value=0.05, max_value=500.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_betainc_matches_scipy(a, b, x):
    from scipy.special import betainc

    assert close(stats.betainc(a, b, x), betainc(a, b, x), rel=1e-8, abs_=1e-12), (a, b, x)


@FAST
@given(st.floats(min_value=-40.0, max_value=40.0))
def test_normal_two_sided_p_matches_scipy(z):
    assert close(stats.normal_two_sided_p(z), 2.0 * sp.norm.sf(abs(z)), rel=1e-12, abs_=1e-300)


def test_z_975_is_the_normal_quantile():
    assert close(stats.Z_975, sp.norm.ppf(0.975), rel=1e-15)


# --- Welch's t-test --------------------------------------------------------------------------

samples = st.lists(st.floats(min_value=-1e4, max_value=1e4).map(lambda v: round(v, 3)), min_size=2, max_size=60)


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")
@FAST
@given(samples, samples)
def test_welch_matches_scipy_ttest_ind(a, b):
    var_a, var_b = statistics.variance(a), statistics.variance(b)
    # well-conditioned spreads only: a near-constant sample makes both sides round differently
    assume(var_a + var_b > 1e-6 * (1 + statistics.fmean(a) ** 2 + statistics.fmean(b) ** 2))
    got = stats.welch_t_test(len(a), statistics.fmean(a), var_a, len(b), statistics.fmean(b), var_b)
    assert got is not None
    ref = sp.ttest_ind(b, a, equal_var=False)  # the module tests mean_b - mean_a
    ci = ref.confidence_interval(0.95)
    assert close(got.difference, statistics.fmean(b) - statistics.fmean(a), rel=1e-12, abs_=1e-9)
    assert close(got.t_statistic, ref.statistic, rel=1e-7, abs_=1e-9)
    assert close(got.degrees_of_freedom, ref.df, rel=1e-7)
    assert p_close(got.p_value, ref.pvalue, got.t_statistic, got.degrees_of_freedom, rel=1e-6)
    scale = abs(ci.high - ci.low) + abs(got.difference)
    assert close(got.ci95_low, ci.low, rel=1e-7, abs_=1e-9 * scale)
    assert close(got.ci95_high, ci.high, rel=1e-7, abs_=1e-9 * scale)
    assert got.ci95_low <= got.difference <= got.ci95_high
    assert got.significant == (got.p_value < 0.05)
    if got.mean_a:
        assert close(got.relative_difference_pct, got.difference / abs(got.mean_a) * 100.0)


@FAST
@given(
    st.integers(min_value=2, max_value=5_000_000),
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=1e-3, max_value=1e6),
    st.integers(min_value=2, max_value=5_000_000),
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=1e-3, max_value=1e6),
)
def test_welch_from_summaries_matches_scipy(n_a, mean_a, var_a, n_b, mean_b, var_b):
    """What rollups feed it: counts, means and variances (up to millions of executions)."""
    got = stats.welch_t_test(n_a, mean_a, var_a, n_b, mean_b, var_b)
    ref = sp.ttest_ind_from_stats(mean_b, math.sqrt(var_b), n_b, mean_a, math.sqrt(var_a), n_a, equal_var=False)
    se2 = var_a / n_a + var_b / n_b
    df = se2**2 / ((var_a / n_a) ** 2 / (n_a - 1) + (var_b / n_b) ** 2 / (n_b - 1))
    assert close(got.t_statistic, ref.statistic, rel=1e-9, abs_=1e-12)
    assert close(got.degrees_of_freedom, df, rel=1e-9)
    assert p_close(got.p_value, ref.pvalue, got.t_statistic, got.degrees_of_freedom, rel=1e-6)
    half = sp.t.ppf(0.975, df) * math.sqrt(se2)
    assert close(got.ci95_high - got.ci95_low, 2 * half, rel=1e-7)


@pytest.mark.parametrize(
    "args",
    [
        (1, 1.0, 1.0, 10, 2.0, 1.0),  # one side has a single value
        (10, 1.0, 1.0, 0, 0.0, 0.0),
        (10, 1.0, 0.0, 10, 2.0, 0.0),  # no variance anywhere: t undefined
    ],
)
def test_welch_undefined(args):
    assert stats.welch_t_test(*args) is None


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")
def test_welch_one_side_constant():
    a, b = [5.0] * 10, [4.0, 6.0, 5.5, 7.0, 6.5]
    got = stats.welch_t_test(10, 5.0, 0.0, 5, statistics.fmean(b), statistics.variance(b))
    ref = sp.ttest_ind(b, a, equal_var=False)
    assert close(got.t_statistic, ref.statistic) and close(got.p_value, ref.pvalue, rel=1e-8)
    assert close(got.degrees_of_freedom, 4.0)


# --- two-proportion z-test ----------------------------------------------------------------


@st.composite
def proportions(draw):
    n_a = draw(st.integers(min_value=1, max_value=1_000_000))
    n_b = draw(st.integers(min_value=1, max_value=1_000_000))
    return draw(st.integers(0, n_a)), n_a, draw(st.integers(0, n_b)), n_b


@FAST
@given(proportions())
def test_two_proportion_z_test_matches_scipy(case):
    s_a, n_a, s_b, n_b = case
    got = stats.two_proportion_z_test(s_a, n_a, s_b, n_b)
    if s_a + s_b in (0, n_a + n_b):
        assert got is None  # pooled rate 0 or 1: nothing varies
        return
    p_a, p_b = s_a / n_a, s_b / n_b
    pooled = (s_a + s_b) / (n_a + n_b)
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    assert close(got.z_statistic, z, rel=1e-9, abs_=1e-12)
    assert close(got.p_value, 2 * sp.norm.sf(abs(z)), rel=1e-9, abs_=1e-300)
    # the pooled z-test is the uncorrected chi-square test of the 2x2 table
    table = np.array([[s_a, n_a - s_a], [s_b, n_b - s_b]])
    if (table.sum(axis=0) > 0).all():
        chi2, p_chi2, _, _ = sp.chi2_contingency(table, correction=False)
        assert close(got.z_statistic**2, chi2, rel=1e-6, abs_=1e-9)
        assert close(got.p_value, p_chi2, rel=1e-6, abs_=1e-12)
    half = sp.norm.ppf(0.975) * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    assert close(got.ci95_low, (p_b - p_a) - half, rel=1e-9, abs_=1e-12)
    assert close(got.ci95_high, (p_b - p_a) + half, rel=1e-9, abs_=1e-12)
    assert got.significant == (got.p_value < 0.05)


@pytest.mark.parametrize("case", [(0, 0, 1, 10), (1, 10, 0, 0), (0, 10, 0, 20), (10, 10, 20, 20)])
def test_two_proportion_undefined(case):
    assert stats.two_proportion_z_test(*case) is None


# --- least squares (stats.least_squares / trend_line, analytics/trend.fit) -----------------------


@st.composite
def series(draw, min_size=2):
    """Hourly-ish x (distinct) and well-conditioned y; no near-constant y (both sides lose digits)."""
    n = draw(st.integers(min_value=min_size, max_value=60))
    xs = sorted(draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True)))
    xs = [x / 4 for x in xs]  # quarter hours
    slope = draw(st.floats(min_value=-100.0, max_value=100.0))
    noise = draw(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=n, max_size=n))
    ys = [round(slope * x + e, 4) for x, e in zip(xs, noise, strict=True)]
    assume(statistics.pvariance(ys) > 1e-6 * (1 + statistics.fmean(ys) ** 2))
    return xs, ys


@FAST
@given(series())
def test_least_squares_matches_linregress(xy):
    xs, ys = xy
    got = stats.least_squares(xs, ys)
    ref = sp.linregress(xs, ys)
    assert close(got.slope, ref.slope, rel=1e-7, abs_=1e-9)
    assert close(got.intercept, ref.intercept, rel=1e-7, abs_=1e-6)
    assert close(got.r2, ref.rvalue**2, rel=1e-7, abs_=1e-9)


@FAST
@given(series(), st.sampled_from([300.0, 3600.0, 86_400.0]))
def test_trend_line_matches_linregress(xy, bucket_seconds):
    hours, ys = xy
    offsets = [h * 3600.0 for h in hours]
    got = stats.trend_line(offsets, ys, bucket_seconds)
    ref = sp.linregress(offsets, ys)
    assert got.points == len(ys)
    assert close(got.slope_per_hour, ref.slope * 3600, rel=1e-7, abs_=1e-9)
    assert close(got.slope_per_bucket, ref.slope * bucket_seconds, rel=1e-7, abs_=1e-9)
    start, end = ref.intercept + ref.slope * offsets[0], ref.intercept + ref.slope * offsets[-1]
    scale = max(abs(start), abs(end), 1.0)
    assert close(got.start_value, start, abs_=1e-7 * scale) and close(got.end_value, end, abs_=1e-7 * scale)
    assert close(got.r_squared, ref.rvalue**2, rel=1e-7, abs_=1e-9)


def test_trend_line_skips_empty_buckets_and_needs_two_points():
    assert stats.trend_line([0.0, 3600.0], [1.0, None], 3600.0) is None
    got = stats.trend_line([0.0, 3600.0, 7200.0, 10800.0], [1.0, None, 3.0, 4.0], 3600.0)
    ref = sp.linregress([0.0, 7200.0, 10800.0], [1.0, 3.0, 4.0])
    assert got.points == 3 and close(got.slope_per_hour, ref.slope * 3600)
    assert got.direction == "up"
    flat = stats.trend_line([0.0, 3600.0, 7200.0], [100.0, 100.2, 100.1], 3600.0)
    assert flat.direction == "flat"  # a 0.1% change is noise


@FAST
@given(series(min_size=3))
def test_core_trend_fit_matches_linregress(xy):
    xs, ys = xy
    got = trend.fit(xs, ys)
    ref = sp.linregress(xs, ys)
    assert got.points == len(xs)
    # fit() rounds to 6 decimals
    assert close(got.slope_per_hour, ref.slope, rel=1e-7, abs_=1e-6)
    assert close(got.intercept, ref.intercept, rel=1e-7, abs_=1e-6)
    assert close(got.r_squared, ref.rvalue**2, rel=1e-7, abs_=1e-6)
    assert close(got.p_value, ref.pvalue, rel=1e-6, abs_=1e-6)
    if abs(ref.pvalue - trend.ALPHA) > 1e-5:
        want = "stable" if ref.pvalue >= trend.ALPHA else ("increasing" if ref.slope > 0 else "decreasing")
        assert got.direction == want
    assert got.as_dict()["significant"] == (got.p_value < trend.ALPHA)


def test_core_trend_fit_edges():
    assert trend.fit([0.0, 1.0], [1.0, 2.0]).direction == "insufficient_data"
    assert trend.fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]).direction == "insufficient_data"  # no spread in x
    constant = trend.fit([0.0, 1.0, 2.0], [5.0, 5.0, 5.0])
    assert (constant.direction, constant.slope_per_hour, constant.p_value) == ("stable", 0.0, 1.0)
    perfect = trend.fit([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0])
    assert perfect.direction == "increasing" and perfect.p_value == 0.0
    assert sp.linregress([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0]).pvalue < 1e-10


# --- percentile rank ------------------------------------------------------------------------


@FAST
@given(st.lists(st.integers(-20, 20).map(float), min_size=1, max_size=50), st.data())
def test_percentile_rank_matches_scipy_mean_kind(population, data):
    value = data.draw(st.sampled_from(population))
    assert close(stats.percentile_rank(value, population), sp.percentileofscore(population, value, kind="mean"))


def test_percentile_rank_empty():
    assert stats.percentile_rank(1.0, []) == 0.0
