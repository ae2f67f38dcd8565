"""Cluster Tracking over the three Kinect frames of data/kinect/, against an oracle written with SciPy.

Usage: pvpython test_kinect_tracking.py PLUGIN DATA_DIR

The README's Kinect demo carried on: the three frames read as one time series (steps 0, 1, 2) ->
Euclidean Clusters with the demo's parameters (Radius 0.02, Min Neighbors 16, Min Cluster Size 50,
Max Cluster Size 5000) -> Cluster Tracking. Real frames have no known tracks, so the oracle is the
cost model of docs/tracking.md computed here independently of the tracker:

- Links. With DetectSplitsAndMerges off and MaxGap 0, the clusters of step t+1 that continue a
  track of step t are exactly those of the least-cost one-to-one assignment between the two steps:
  Chamfer values (metric Max: max of the two mean nearest-point distances) of every pair of
  clusters by brute force with cKDTree, and SciPy's linear_sum_assignment on the square augmented
  matrix of size rows + columns, where leaving a cluster unlinked costs the gate on either side and
  a link above the gate is forbidden. Checked for several fixed gates (MaxLinkDistance) and for the
  default gate chosen from the data, recomputed here from the rule of docs/tracking.md (nearest-rank
  medians, as core/src/tracking/gate.c states) and compared with the LinkGate the filter reports.
  The LinkDistance of each continued cluster is its
  Chamfer value; Births and Deaths in the Events output are the unlinked clusters.
- Defaults (splits and merges on, MaxGap 2): every cluster point has a track, one per cluster, the
  clusters of a step have distinct tracks, noise points (ClusterId -1) have none; the Tracks output
  spans the steps each track is seen at; every track starting after step 0 has a birth or split event.
The figures the README quotes for the defaults (clusters, tracks, links, events) are checked too.
"""
import os
import sys
from collections import Counter

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from paraview import simple
from vtkmodules.util.numpy_support import vtk_to_numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracking_outputs import events_of, outputs_at, point_array  # noqa: E402

DEMO = dict(Radius=0.02, MinNeighbors=16, MinClusterSize=50, MaxClusterSize=5000)
FIXED_GATES = (0.005, 0.01, 0.02, 0.05, 0.2, 1.0)
# What the README says the defaults give (clusters per frame, tracks, links, events): the tracker is
# exact and deterministic, so a change here is a change of the tracker's results: update the README.
README_FIGURES = dict(clusters=[22, 34, 26], tracks=43, links=39,
                      events={"birth": 15, "split": 6, "merge": 14, "death": 3})

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED:", message)


def clusters_of(points, ids):
    """{cluster id: its points}, noise (-1) left out."""
    return {int(c): points[ids == c] for c in np.unique(ids) if c != -1}


def chamfer_max(a, tree_a, b, tree_b):
    """max(d(A->B), d(B->A)), d = mean distance from each point to its nearest point of the other."""
    return max(tree_b.query(a)[0].mean(), tree_a.query(b)[0].mean())


def chamfer_matrix(prev, new):
    """Chamfer values of every (previous, new) pair of clusters, brute force over the pairs."""
    trees_prev = {c: cKDTree(p) for c, p in prev.items()}
    trees_new = {c: cKDTree(p) for c, p in new.items()}
    rows, cols = sorted(prev), sorted(new)
    values = np.empty((len(rows), len(cols)))
    for i, p in enumerate(rows):
        for j, c in enumerate(cols):
            values[i, j] = chamfer_max(prev[p], trees_prev[p], new[c], trees_new[c])
    return rows, cols, values


def nearest_rank_median(values):
    values = np.sort(np.asarray(values))
    return values[(len(values) + 1) // 2 - 1]


def default_gate(values):
    """docs/tracking.md: max(4 x median{n1(p): p confident}, median{n2(p)} / 2), p confident when its
    nearest new cluster has p as its own nearest and n1(p) <= n2(p) / 2."""
    order = np.sort(values, axis=1)
    n1 = order[:, 0]
    n2 = order[:, 1] if values.shape[1] > 1 else np.full(len(values), np.inf)
    nearest_new = np.argmin(values, axis=1)
    nearest_prev = np.argmin(values, axis=0)
    mutual = nearest_prev[nearest_new] == np.arange(len(values))
    confident = n1[mutual & (n1 <= 0.5 * n2)]
    typical = 4 * nearest_rank_median(confident) if len(confident) else -1.0
    finite = n2[np.isfinite(n2)]
    apart = 0.5 * nearest_rank_median(finite) if len(finite) else -1.0
    return max(typical, apart)


def oracle_links(values, gate):
    """The least-cost one-to-one links {row: col}: the square (rows + cols) problem where leaving a row
    or a column unlinked costs the gate and links above the gate are forbidden."""
    n, m = values.shape
    big = np.inf
    square = np.full((n + m, m + n), big)
    square[:n, :m] = np.where(values <= gate, values, big)
    square[:n, m:][np.diag_indices(n)] = gate       # row i unlinked
    square[n:, :m][np.diag_indices(m)] = gate       # column j unlinked
    square[n:, m:] = 0.0                            # the dummies of linked pairs pair up at no cost
    row, col = linear_sum_assignment(square)
    links = {int(i): int(j) for i, j in zip(row, col) if i < n and j < m}
    cost = square[row, col].sum()
    return links, cost


def track_series(reader, **properties):
    """Cluster Tracking over the frames: per step, the points, ClusterId and TrackId point arrays,
    LinkDistance; and the Tracks and Events outputs (the same at every step)."""
    clusters = simple.EuclideanClusters(Input=reader, **DEMO)
    tracking = simple.ClusterTracking(Input=clusters, **properties)
    steps = []
    for time in reader.TimestepValues:
        annotated, tracks, events = outputs_at(tracking, time)
        steps.append(dict(points=vtk_to_numpy(annotated.GetPoints().GetData()).astype(np.float64),
                          cluster=point_array(annotated, "ClusterId"), track=point_array(annotated, "TrackId"),
                          link=point_array(annotated, "LinkDistance"),
                          gate=annotated.GetFieldData().GetArray("LinkGate").GetValue(0)))
    tracks_info = dict(track=vtk_to_numpy(tracks.GetCellData().GetArray("TrackId")).copy(),
                       start=vtk_to_numpy(tracks.GetCellData().GetArray("StartStep")).copy(),
                       end=vtk_to_numpy(tracks.GetCellData().GetArray("EndStep")).copy())
    result = steps, tracks_info, events_of(events)
    simple.Delete(tracking)
    simple.Delete(clusters)
    return result


def cluster_tracks(step, where):
    """{cluster id: its track}, checking that every point of a cluster has that one track and noise
    points have none."""
    mapping = {}
    noise = step["cluster"] == -1
    check(np.all(step["track"][noise] == -1), f"{where}: a noise point has a track")
    for c in np.unique(step["cluster"][~noise]):
        tracks = np.unique(step["track"][step["cluster"] == c])
        check(len(tracks) == 1 and tracks[0] >= 0, f"{where}: cluster {c} has tracks {tracks.tolist()}")
        mapping[int(c)] = int(tracks[0])
    check(len(set(mapping.values())) == len(mapping), f"{where}: two clusters share a track")
    return mapping


def check_against_oracle(reader, gate):
    """Splits and merges off, no gap closing: the links are the assignment's. gate None: the default
    gate (MaxLinkDistance 0), recomputed here."""
    name = "default gate" if gate is None else f"gate {gate}"
    steps, tracks, events = track_series(reader, MaxLinkDistance=gate or 0.0, MaxGap=0, DetectSplitsAndMerges=0)
    mappings = [cluster_tracks(step, f"{name}, step {s}") for s, step in enumerate(steps)]
    expected_events, total_links, used_gates = set(), 0, []
    for s in range(len(steps) - 1):
        prev = clusters_of(steps[s]["points"], steps[s]["cluster"])
        new = clusters_of(steps[s + 1]["points"], steps[s + 1]["cluster"])
        rows, cols, values = chamfer_matrix(prev, new)
        step_gate = default_gate(values) if gate is None else gate
        used_gates.append(step_gate)
        check(np.isclose(steps[s + 1]["gate"], step_gate, rtol=1e-9, atol=0),
              f"{name}, step {s + 1}: the filter reports LinkGate {steps[s + 1]['gate']}, the rule gives {step_gate}")
        links, _ = oracle_links(values, step_gate)
        expected = {rows[i]: cols[j] for i, j in links.items()}
        # What the tracker linked: the clusters of step s+1 whose track was at step s.
        by_track = {t: c for c, t in mappings[s].items()}
        found = {by_track[t]: c for c, t in mappings[s + 1].items() if t in by_track}
        check(found == expected, f"{name}, steps {s}->{s + 1}: links differ from the assignment's: "
              f"only tracker {sorted(set(found.items()) - set(expected.items()))}, "
              f"only oracle {sorted(set(expected.items()) - set(found.items()))}")
        total_links += len(expected)
        # LinkDistance: the Chamfer value of the link, NaN where a track starts.
        col_of = {c: j for j, c in enumerate(cols)}
        row_of = {p: i for i, p in enumerate(rows)}
        linked_to = {c: p for p, c in expected.items()}
        for c in cols:
            distance = steps[s + 1]["link"][steps[s + 1]["cluster"] == c]
            if c in linked_to:
                value = values[row_of[linked_to[c]], col_of[c]]
                check(np.allclose(distance, value, rtol=1e-9, atol=1e-12),
                      f"{name}, step {s + 1}: cluster {c} LinkDistance {distance[0]} != Chamfer value {value}")
            else:
                check(np.all(np.isnan(distance)), f"{name}, step {s + 1}: unlinked cluster {c} has a LinkDistance")
                expected_events.add((s + 1, "birth", mappings[s + 1][c], -1))
        for p in rows:
            if p not in expected:
                expected_events.add((s + 1, "death", mappings[s][p], -1))
    check(set(events) == expected_events and len(events) == len(expected_events),
          f"{name}: events {sorted(set(events) ^ expected_events)} differ from the unlinked clusters")
    num_tracks = len(set().union(*(set(m.values()) for m in mappings)))
    check(len(tracks["track"]) == num_tracks, f"{name}: {len(tracks['track'])} tracks output, {num_tracks} seen")
    print(f"{name}: gates {[f'{g:.4g}' for g in used_gates]}, clusters {[len(m) for m in mappings]}, "
          f"{total_links} links as the assignment's, {num_tracks} tracks, "
          f"{dict(Counter(kind for _, kind, _, _ in events))}")
    return total_links


def check_defaults(reader):
    """Every option at its default: invariants, and the figures the README quotes."""
    steps, tracks, events = track_series(reader)
    mappings = [cluster_tracks(step, f"defaults, step {s}") for s, step in enumerate(steps)]
    seen = {}
    for s, mapping in enumerate(mappings):
        for t in mapping.values():
            seen.setdefault(t, []).append(s)
    check(sorted(tracks["track"].tolist()) == sorted(seen), "defaults: the Tracks output's ids are not the tracks seen")
    for t, start, end in zip(tracks["track"], tracks["start"], tracks["end"]):
        check((start, end) == (seen[t][0], seen[t][-1]), f"defaults: track {t} spans {start}..{end}, seen at {seen[t]}")
    starts = Counter((step, track) for step, kind, track, _ in events if kind in ("birth", "split"))
    for t, at in seen.items():
        check(starts[(at[0], t)] == (1 if at[0] > 0 else 0), f"defaults: track {t} first seen at step {at[0]} "
              f"has {starts[(at[0], t)]} birth/split events")
    links = sum(len(set(mappings[s].values()) & set(mappings[s + 1].values())) for s in range(len(steps) - 1))
    kinds = Counter(kind for _, kind, _, _ in events)
    figures = dict(clusters=[len(m) for m in mappings], tracks=len(seen), links=links, events=dict(kinds))
    check(figures == README_FIGURES, f"defaults: {figures}, the README says {README_FIGURES}")
    print(f"defaults: clusters {[len(m) for m in mappings]}, {len(seen)} tracks, {links} links, events {dict(kinds)}, "
          f"noise points {[int((step['cluster'] == -1).sum()) for step in steps]}")


def main(plugin, data_dir):
    simple.LoadPlugin(plugin)
    frames = [os.path.join(data_dir, "kinect", f"frame_{k}.vtp") for k in range(3)]
    reader = simple.XMLPolyDataReader(FileName=frames)
    check(list(reader.TimestepValues) == [0.0, 1.0, 2.0], f"the frames' times are {reader.TimestepValues}")
    links = [check_against_oracle(reader, gate) for gate in FIXED_GATES + (None,)]
    check(min(links) < max(links), f"every gate gave the same number of links {links}: the gates test nothing")
    check_defaults(reader)
    if failures:
        print(f"FAILED: {len(failures)} checks")
        return 1
    print("kinect tracking: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
