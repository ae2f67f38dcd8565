"""The core's sparse assignment solver against SciPy's linear_sum_assignment on larger random
problems: geometric gates as in tracking (links only between points closer than a gate, "no link"
at the gate), random sparse costs with uneven and negative "no link" costs, and one large connected
component. SciPy solves the equivalent dense square problem of size rows + columns (forbidden
entries infinite), built here independently of the core. Usage: test_assignment_scipy.py DRIVER"""
import subprocess
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

driver = sys.argv[1]
failures = 0


def solve_core(rows, cols, row_cost, col_cost, links, threads):
    text = [f"{rows} {cols} {len(links)} {threads}",
            " ".join(repr(float(v)) for v in row_cost), " ".join(repr(float(v)) for v in col_cost)]
    text += [f"{r} {c} {w!r}" for r, c, w in links]
    out = subprocess.run([driver], input="\n".join(text) + "\n", capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")
    status, total = lines[0].split()
    assert status == "0", out
    return float(total), [int(v) for v in lines[1:1 + rows]]


def solve_scipy(rows, cols, row_cost, col_cost, links):
    """Dense square problem: rows + columns' "no link" rows, columns + rows' "no link" columns."""
    n = rows + cols
    big = np.full((n, n), np.inf)
    for r, c, w in links:
        big[r, c] = w
        big[rows + c, cols + r] = 0.0  # both "no link" entries freed by the link pair together
    for r in range(rows):
        big[r, cols + r] = row_cost[r]
    for c in range(cols):
        big[rows + c, c] = col_cost[c]
    i, j = linear_sum_assignment(big)
    return float(big[i, j].sum())


def recomputed(rows, cols, row_cost, col_cost, links, row_to_col):
    costs = {(r, c): w for r, c, w in links}
    used = [c for c in row_to_col if c >= 0]
    assert len(used) == len(set(used)), "a column taken twice"
    total = 0.0
    for r, c in enumerate(row_to_col):
        total += row_cost[r] if c < 0 else costs[(r, c)]  # KeyError: not an allowed link
    return total + sum(col_cost[c] for c in range(cols) if c not in set(used))


def check(name, rows, cols, row_cost, col_cost, links):
    global failures
    expected = solve_scipy(rows, cols, row_cost, col_cost, links)
    results = [solve_core(rows, cols, row_cost, col_cost, links, t) for t in (1, 2, 3)]
    total, row_to_col = results[0]
    again = recomputed(rows, cols, row_cost, col_cost, links, row_to_col)
    ok = abs(total - expected) <= 1e-9 * (1 + abs(expected)) and abs(again - total) <= 1e-9 * (1 + abs(total))
    same = all(r == results[0] for r in results[1:])
    if not ok or not same:
        failures += 1
    print(f"{name}: {rows} x {cols}, {len(links)} links: core {total:.12g}, scipy {expected:.12g}"
          f"{'' if same else ', DIFFERENT on 2 or 3 threads'}{'' if ok else '  <-- MISMATCH'}")


rng = np.random.default_rng(5)
for trial in range(6):
    # Tracking-like: points and their moved copies (some dropped, some new), links within a gate.
    rows = int(rng.integers(50, 400))
    a = rng.uniform(0, 100, (rows, 3))
    kept = a[rng.random(rows) > 0.1]
    b = np.vstack([kept + rng.normal(0, 1.5, kept.shape), rng.uniform(0, 100, (int(rng.integers(0, 30)), 3))])
    cols = len(b)
    gate = float(rng.uniform(3, 12))
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    links = [(int(r), int(c), float(d[r, c])) for r, c in zip(*np.nonzero(d <= gate))]
    check(f"gated {trial}", rows, cols, [gate] * rows, [gate] * cols, links)

for trial in range(6):
    # Random sparse costs, uneven "no link" costs (some negative), integer costs for exact ties.
    rows, cols = int(rng.integers(20, 300)), int(rng.integers(20, 300))
    density = float(rng.uniform(0.005, 0.08))
    mask = rng.random((rows, cols)) < density
    integers = trial % 2 == 0
    w = rng.integers(-3, 30, (rows, cols)).astype(float) if integers else rng.uniform(-3, 30, (rows, cols))
    links = [(int(r), int(c), float(w[r, c])) for r, c in zip(*np.nonzero(mask))]
    row_cost = rng.integers(-2, 20, rows).astype(float) if integers else rng.uniform(-2, 20, rows)
    col_cost = rng.integers(-2, 20, cols).astype(float) if integers else rng.uniform(-2, 20, cols)
    check(f"random {trial}", rows, cols, list(row_cost), list(col_cost), links)

# One large component: a band of links, every row competing with its neighbours.
rows = cols = 600
links = [(r, c, float(rng.uniform(0, 10))) for r in range(rows) for c in range(max(0, r - 3), min(cols, r + 4))]
check("band", rows, cols, list(rng.uniform(4, 8, rows)), list(rng.uniform(4, 8, cols)), links)

print("test_assignment_scipy:", "FAILED" if failures else "passed", f"({failures} mismatches)")
sys.exit(1 if failures else 0)
