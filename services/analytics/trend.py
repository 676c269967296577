"""Least-squares trend of a series, with the significance of its slope.

The line is :func:`services.analytics.stats.least_squares` (the one the charts' ``trend_line``
fits); this adds the significance of its slope.  Charts call a line up/down/flat by the size of
the change; here a slope is only called a direction ("increasing"/"decreasing") when a two-sided t-test
of "slope = 0" rejects at ``ALPHA``; otherwise the series is "stable".  Fewer than three
points cannot support a test and answer "insufficient_data".  The Student-t tail is
:func:`services.analytics.stats.t_two_sided_p` (the same one the A/B tests use).
"""

from __future__ import annotations

import math

from services.analytics.schemas import TREND_ALPHA, TREND_METHOD, Trend
from services.analytics.stats import least_squares, t_two_sided_p

ALPHA = TREND_ALPHA


def fit(xs: list[float], ys: list[float]) -> Trend:
    """Fit ``y = a + b x`` (x in hours) and test b = 0."""
    n = len(xs)
    line = least_squares(xs, ys) if n >= 3 else None
    if line is None:
        return _trend("insufficient_data", None, None, None, None, n)
    my = sum(ys) / n
    syy = sum((y - my) ** 2 for y in ys)
    if syy == 0:
        return _trend("stable", 0.0, round(line.intercept, 6), 1.0, 1.0, n)
    mx = sum(xs) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    residual = max(0.0, syy - line.slope * line.slope * sxx)
    r2 = 1.0 - residual / syy
    dof = n - 2
    if residual == 0:
        p = 0.0
    else:
        se = math.sqrt(residual / dof / sxx)
        p = t_two_sided_p(line.slope / se, dof)
    direction = "stable" if p >= ALPHA else ("increasing" if line.slope > 0 else "decreasing")
    return _trend(direction, round(line.slope, 6), round(line.intercept, 6), round(r2, 6), round(p, 6), n)


def _trend(
    direction: str,
    slope_per_hour: float | None,
    intercept: float | None,
    r_squared: float | None,
    p_value: float | None,
    points: int,
) -> Trend:
    return Trend(
        direction=direction,
        slope_per_hour=slope_per_hour,
        intercept=intercept,
        r_squared=r_squared,
        p_value=p_value,
        points=points,
        method=TREND_METHOD,
    )
