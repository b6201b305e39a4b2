"""Simple charts drawn on the server as inline SVG geometry: columns over days, bars per stage."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "columns", "bars"]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    top: str  # the value the full height stands for, written on the axis
    ticks: tuple[int, ...] = ()  # which bars get their label written under them
    left: int = 0  # room kept for the axis labels

    @property
    def empty(self) -> bool:
        return not any(bar.width and bar.height for bar in self.bars)


def _scale(values: list[float], floor: float = 1) -> float:
    """The value the full length stands for: never below `floor`, so that tiny values draw tiny bars."""
    return max([*values, floor])


def columns(points: list[tuple[str, float]], width: int = 640, height: int = 160, fmt=str) -> Chart:
    """Vertical columns, one per point, left to right, heights in proportion to the values."""
    left, right, plot, gap = 44, 16, height - 20, 2  # room for the axis on the left, a last label on the right
    slot = (width - left - right) / max(len(points), 1)
    top = _scale([value for _, value in points])
    items = []
    for i, (label, value) in enumerate(points):
        tall = plot * value / top
        items.append(Bar(round(left + i * slot + gap / 2, 1), round(plot - tall, 1), round(max(slot - gap, 1), 1),
                         round(tall, 1), label, fmt(value)))
    # About six labels, counted back from the last point (today), so that they never overlap.
    step = max(1, -(-len(points) // 6))
    ticks = tuple(i for i in range(len(points)) if (len(points) - 1 - i) % step == 0)
    return Chart(width, height, tuple(items), fmt(top), ticks, left)


def bars(points: list[tuple[str, float]], width: int = 640, row: int = 26, fmt=str) -> Chart:
    """Horizontal bars, one per point, top to bottom, lengths in proportion to the values."""
    label_room = 160
    top = _scale([value for _, value in points])
    items = tuple(Bar(label_room, i * row + 3, round((width - label_room - 60) * value / top, 1), row - 6, label,
                      fmt(value)) for i, (label, value) in enumerate(points))
    return Chart(width, max(row * len(points), row), items, fmt(top))
