"""Small-count suppression for public aggregates.

A table of counts is published with its row totals, column totals and grand total. Seen
as one augmented grid (the totals as an extra row and column), every line (row or column
of the grid, its total included) is an equation "cells = total". Rules:

1. primary: every value 0 < v < threshold (default 11) is hidden, totals included;
2. secondary: every line with exactly one hidden value gets one more hidden (the smallest
   non-zero visible value of that line, a cell before a total), so that no hidden value
   is the difference between a visible total and visible cells; repeated until stable.

Zeros stay visible (they describe nobody). The rule is the one of the "two unknowns per
line" used by statistical offices for simple tables.
"""

from __future__ import annotations

from django.conf import settings

HIDDEN = None


def threshold() -> int:
    return getattr(settings, "PASSEPORT_ESF_PUBLIC_MIN_COUNT", 11)


def augmented(table: list[list[int]]) -> list[list[int]]:
    rows = [[*r, sum(r)] for r in table]
    n_cols = len(rows[0]) if rows else 1
    rows.append([sum(r[j] for r in rows) for j in range(n_cols)])
    return rows


def suppress(table: list[list[int]], minimum: int | None = None) -> dict:
    """Returns {"cells", "row_totals", "col_totals", "total"} with None for hidden values."""
    k = threshold() if minimum is None else minimum
    grid = augmented(table)
    n_r, n_c = len(grid), len(grid[0])
    hidden = {(i, j) for i in range(n_r) for j in range(n_c) if 0 < grid[i][j] < k}
    lines = [[(i, j) for j in range(n_c)] for i in range(n_r)] + [[(i, j) for i in range(n_r)] for j in range(n_c)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(c in hidden for c in line) != 1:
                continue
            visible = [c for c in line if c not in hidden]
            total_pos = line[-1]
            candidates = sorted(visible, key=lambda c: (grid[c[0]][c[1]] == 0, c == total_pos, grid[c[0]][c[1]], c))
            if candidates:
                hidden.add(candidates[0])
                changed = True
    out = [[HIDDEN if (i, j) in hidden else grid[i][j] for j in range(n_c)] for i in range(n_r)]
    return {
        "cells": [row[:-1] for row in out[:-1]],
        "row_totals": [row[-1] for row in out[:-1]],
        "col_totals": out[-1][:-1],
        "total": out[-1][-1],
    }
