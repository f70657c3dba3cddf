"""Geometry of the progress chart (inline SVG, drawn by the template); the same figures
are shown in a table for screen readers and for anyone who prefers it."""

from __future__ import annotations

from django.utils.formats import date_format

COLOURS = ["#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4"]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 600, 240, 40, 20, 16, 36


def geometry(progress) -> dict:
    n = len(progress.points)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / progress.max_level)

    series = []
    for k, (key, label) in enumerate(progress.series):
        dots = [(round(x(i), 1), round(y(p.values[key]), 1), p.values[key])
                for i, p in enumerate(progress.points) if key in p.values]
        if dots:
            series.append({"label": label, "colour": COLOURS[k % len(COLOURS)],
                           "points": " ".join(f"{a},{b}" for a, b, _v in dots), "dots": dots})
    return {
        "width": WIDTH, "height": HEIGHT, "series": series,
        "x_labels": [(round(x(i), 1), date_format(p.evaluation.evaluated_on, "SHORT_DATE_FORMAT"))
                     for i, p in enumerate(progress.points)],
        "y_labels": [(round(y(v), 1), v) for v in range(progress.max_level + 1)],
        "x_axis_y": HEIGHT - BOTTOM + 20, "left": LEFT, "right": WIDTH - RIGHT,
    }
