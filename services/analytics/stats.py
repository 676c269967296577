"""Statistics for reports and charts, in pure Python (scipy is not a dependency).

* Student's t distribution through the regularized incomplete beta function
  (Lentz's continued fraction, as in Numerical Recipes ``betacf``), accurate to ~1e-12.
* Welch's unequal-variance t-test from summary statistics (n, mean, sample variance),
  which is exactly what rollups keep (sums and sums of squares), so a test over
  millions of executions never loads a row.
* Two-proportion z-test, least-squares trend lines and percentile ranks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.analytics.schemas import ProportionTest, TrendLine, WelchTest

Z_975 = 1.959963984540054  # standard normal 97.5% quantile, for 95% confidence intervals
_EPS = 1e-15
_TINY = 1e-300


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(ln_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` (real, > 0) degrees of freedom."""
    if math.isinf(t):
        return 0.0
    # p = I_x(df/2, 1/2) with x = df/(df+t²).  For |t| < 1 (p > 0.3 for any df) x rounds to nearly 1
    # and its complement loses digits; there use I_x(a, b) = 1 - I_{1-x}(b, a) with 1 - x = t²/(df+t²)
    # computed directly (p near 1 was off by up to ~5e-6 before).  Small p keeps the direct form.
    t2 = t * t
    if t2 < 1.0:
        return min(1.0, max(0.0, 1.0 - betainc(0.5, df / 2.0, t2 / (df + t2))))
    return min(1.0, max(0.0, betainc(df / 2.0, 0.5, df / (df + t2))))


def _t_density(t: float, df: float) -> float:
    ln = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(ln - (df + 1.0) / 2.0 * math.log1p(t * t / df))


def t_critical(df: float, confidence: float = 0.95) -> float:
    """The t with two-sided tail probability ``1 - confidence``.

    Newton's method on the tail probability (its derivative is minus twice the density) from the
    Cornish-Fisher estimate converges in a few steps; each step is one incomplete beta, where the
    bisection it replaces took ~45 (a Welch test with df in the thousands spent ~2 ms here).  A
    step that would leave the bracket falls back to bisection, so it cannot diverge.
    """
    alpha = 1.0 - confidence
    z = math.sqrt(2.0) * _erfinv(confidence)
    t = z + (z**3 + z) / (4.0 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * df * df)
    lo, hi = 0.0, max(2.0 * t, 1.0)
    while t_two_sided_p(hi, df) > alpha:
        lo, hi = hi, hi * 2.0
    t = min(max(t, lo), hi)
    for _ in range(100):
        excess = t_two_sided_p(t, df) - alpha  # decreasing in t
        if excess > 0:
            lo = t
        else:
            hi = t
        step = excess / (2.0 * _t_density(t, df))
        nxt = t + step
        if not lo < nxt < hi:
            nxt = (lo + hi) / 2.0
        if abs(nxt - t) < 1e-12 * max(1.0, t):
            return nxt
        t = nxt
    return t


def _erfinv(y: float) -> float:
    """Inverse error function for 0 <= y < 1 (a starting point only: refined by Newton on erf)."""
    a = 0.147
    ln = math.log(1.0 - y * y)
    first = 2.0 / (math.pi * a) + ln / 2.0
    x = math.copysign(math.sqrt(math.sqrt(first * first - ln / a) - first), y)
    for _ in range(3):
        x -= (math.erf(x) - y) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def welch_t_test(
    n_a: int, mean_a: float, var_a: float, n_b: int, mean_b: float, var_b: float, alpha: float = 0.05
) -> WelchTest | None:
    """None when a side has fewer than two values or both variances are zero (t undefined)."""
    if n_a < 2 or n_b < 2:
        return None
    sa, sb = var_a / n_a, var_b / n_b
    se2 = sa + sb
    if se2 <= 0.0:
        return None
    se = math.sqrt(se2)
    diff = mean_b - mean_a
    t = diff / se
    df = se2 * se2 / (sa * sa / (n_a - 1) + sb * sb / (n_b - 1))
    p = t_two_sided_p(t, df)
    half = t_critical(df) * se
    return WelchTest(
        n_a=n_a,
        n_b=n_b,
        mean_a=mean_a,
        mean_b=mean_b,
        variance_a=var_a,
        variance_b=var_b,
        difference=diff,
        relative_difference_pct=diff / abs(mean_a) * 100.0 if mean_a else None,
        t_statistic=t,
        degrees_of_freedom=df,
        p_value=p,
        ci95_low=diff - half,
        ci95_high=diff + half,
        significant=p < alpha,
    )


def two_proportion_z_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int, alpha: float = 0.05
) -> ProportionTest | None:
    """None when a side is empty or the pooled rate is 0 or 1 (no variation to test)."""
    if n_a == 0 or n_b == 0:
        return None
    p_a, p_b = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    if se_pooled == 0.0:
        return None
    z = (p_b - p_a) / se_pooled
    p = normal_two_sided_p(z)
    half = Z_975 * math.sqrt(p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b)
    diff = p_b - p_a
    return ProportionTest(
        successes_a=successes_a,
        n_a=n_a,
        successes_b=successes_b,
        n_b=n_b,
        rate_a=p_a,
        rate_b=p_b,
        difference=diff,
        z_statistic=z,
        p_value=p,
        ci95_low=diff - half,
        ci95_high=diff + half,
        significant=p < alpha,
    )


@dataclass(frozen=True)
class _Fit:
    slope: float
    intercept: float
    r2: float | None


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> _Fit | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    syy = sum((y - my) ** 2 for y in ys)
    slope = sxy / sxx
    r2 = (sxy * sxy) / (sxx * syy) if syy > 0 else None
    return _Fit(slope, my - slope * mx, r2)


def trend_line(
    offsets_seconds: Sequence[float], values: Sequence[float | None], bucket_seconds: float
) -> TrendLine | None:
    """Fit ``values`` (None = empty bucket, skipped) against time; None below two points.

    ``direction`` is ``flat`` when the fitted change over the whole span is under 1% of the
    mean level (or exactly zero), so noise does not read as a trend.
    """
    pts = [(x, y) for x, y in zip(offsets_seconds, values, strict=True) if y is not None]
    fit = least_squares([p[0] for p in pts], [p[1] for p in pts])
    if fit is None:
        return None
    first, last = offsets_seconds[0], offsets_seconds[-1]
    start_value, end_value = fit.intercept + fit.slope * first, fit.intercept + fit.slope * last
    level = abs(sum(p[1] for p in pts) / len(pts))
    change = end_value - start_value
    flat = change == 0 or (level > 0 and abs(change) < 0.01 * level)
    return TrendLine(
        points=len(pts),
        slope_per_hour=fit.slope * 3600.0,
        slope_per_bucket=fit.slope * bucket_seconds,
        intercept=start_value,
        start_value=start_value,
        end_value=end_value,
        r_squared=fit.r2,
        direction="flat" if flat else ("up" if change > 0 else "down"),
    )


def percentile_rank(value: float, population: Sequence[float]) -> float:
    """Mid-rank percentile of ``value`` in ``population`` (which includes it): 0..100."""
    if not population:
        return 0.0
    below = sum(1 for v in population if v < value)
    equal = sum(1 for v in population if v == value)
    return (below + 0.5 * equal) / len(population) * 100.0
