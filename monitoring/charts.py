"""The trend chart as plain SVG geometry, drawn by the template (no chart library, no script).

Running totals of families collected and approved per day against the plan (the VK1 target spread
evenly over the fieldwork days), with bars for each day's collected families. The page carries the
same numbers as a table for screen readers and for reading exact values.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.progress import Trend

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plan: str  # polyline points "x,y x,y ..."
    collected: str
    approved: str
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    left: int
    right: int
    top: int
    bottom: int


def _nice_max(value: float) -> int:
    """The smallest of 1, 2, 5 x 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def trend_chart(trend: Trend) -> Chart:
    days = trend.days
    n = max(len(days), 1)
    top_value = _nice_max(max([trend.target, *(d.collected_total for d in days), *(d.approved_total for d in days), 1]))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / n

    def x(i: int) -> float:
        return round(LEFT + step * (i + 0.5), 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    def line(values: list[float]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))

    bar_w = round(max(step * 0.6, 1), 1)
    bars = [
        Bar(round(x(i) - bar_w / 2, 1), y(d.collected), bar_w, round(TOP + plot_h - y(d.collected), 1))
        for i, d in enumerate(days)
        if d.collected
    ]
    y_ticks = [Tick(y(top_value * k / 4), f"{round(top_value * k / 4):,}".replace(",", ".")) for k in range(5)]
    every = max(1, n // 6)
    x_ticks = [Tick(x(i), d.day.strftime("%d/%m")) for i, d in enumerate(days) if i % every == 0]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plan=line([d.plan_total for d in days]),
        collected=line([d.collected_total for d in days]),
        approved=line([d.approved_total for d in days]),
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
    )
