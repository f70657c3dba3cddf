"""Public aggregates never show a small count, not even by subtraction from a total."""

from __future__ import annotations

import itertools
import random

from passeport.reporting.suppression import augmented, suppress


def published_grid(result):
    rows = [[*r, t] for r, t in zip(result["cells"], result["row_totals"], strict=True)]
    rows.append([*result["col_totals"], result["total"]])
    return rows


def recoverable(grid_true, grid_pub):
    """Values a reader recovers by subtraction: repeat 'line total minus visible cells'
    while a line has exactly one unknown."""
    known = [[v is not None for v in row] for row in grid_pub]
    n_r, n_c = len(grid_pub), len(grid_pub[0])
    found = []
    changed = True
    while changed:
        changed = False
        lines = [[(i, j) for j in range(n_c)] for i in range(n_r)] + [[(i, j) for i in range(n_r)] for j in range(n_c)]
        for line in lines:
            unknown = [c for c in line if not known[c[0]][c[1]]]
            if len(unknown) == 1:
                i, j = unknown[0]
                known[i][j] = True
                found.append(grid_true[i][j])
                changed = True
    return found


def assert_safe(table, k=11):
    result = suppress(table, k)
    pub = published_grid(result)
    for row in pub:
        for v in row:
            assert v is None or v == 0 or v >= k
    for value in recoverable(augmented(table), pub):
        assert value == 0 or value >= k, (table, pub)
    return result


def test_small_cells_hidden_and_secondary_cells_too():
    # women / men / non-binary for three operations
    table = [[40, 35, 3], [12, 20, 0], [50, 60, 0]]
    result = assert_safe(table)
    assert result["cells"][0][2] is None  # 3 hidden
    assert sum(v is None for v in result["cells"][0]) >= 2  # and another in its row
    assert result["total"] == 220


def test_hidden_row_total_cannot_be_recomputed_from_grand_total():
    table = [[4, 3], [30, 40], [25, 50]]  # first row total 7
    result = assert_safe(table)
    assert result["row_totals"][0] is None
    assert sum(v is None for v in result["row_totals"]) + (result["total"] is None) >= 2


def test_nothing_small_when_everything_is_large():
    result = assert_safe([[20, 30], [40, 50]])
    assert result["cells"] == [[20, 30], [40, 50]]
    assert result["total"] == 140


def test_random_tables_never_leak_by_subtraction():
    rng = random.Random(8)
    for _ in range(300):
        n_r, n_c = rng.randint(1, 5), rng.randint(1, 4)
        table = [[rng.choice([0, 1, 2, 5, 9, 10, 11, 12, 15, 30, 80]) for _ in range(n_c)] for _ in range(n_r)]
        assert_safe(table)


def test_exhaustive_small_two_by_two():
    for a, b, c, d in itertools.product([0, 3, 10, 11, 25], repeat=4):
        assert_safe([[a, b], [c, d]])
