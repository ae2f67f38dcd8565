"""Every output of ChamferClusterMatching against an independent NumPy/SciPy oracle.

Usage: pvpython test_filter.py PLUGIN DATA_DIR

On seed_left vs seed_right and seed_left vs seed_left_next (data/), for every Metric, with
SquaredDistances off and on, MaxPairDistance 0 and one that leaves clusters unpaired, and 1 and 2
threads, checks against a brute-force oracle (every point pair of every cluster pair, pairing with
ties to the smaller id, its own pairs table):
- ports 0 and 1: the input points; every input point array unchanged; on points and cells exactly
  ClusterId, PairId, PairDistance, Mutual, PairIndex (and Centroid on cells); one VTK_POLY_VERTEX
  cell per cluster holding exactly that cluster's points;
- port 2: every column of the pairs table, rows sorted by (SourceId, TargetId);
- port 3: one line per pair between the two centroids, with its cell arrays;
- field data of every port: ChamferMetric, SquaredDistances, NumberOfThreads, times >= 0, and
  PairLabels ("3 -> 107", a line per row of the oracle's pairs table);
- 1 and 2 threads give bit-identical outputs; run under OMP_THREAD_LIMIT=1 (ctest does), the two
  threads asked are one, NumberOfThreads says so, and every result is still the oracle's;
- on the moved frame, PairId == TrueClusterId on target points (and the inverse on source points);
- a MaxPairDistance equal to a cluster's own value keeps it paired (only values above are cut);
- exact ties (a small synthetic case, ids stored unsorted) go to the smaller cluster id;
- PairLabels is carried while the table has at most 4,096 rows (the GUI's limit for named pairs),
  with every row's label, and left out past it (4,097 singletons paired one to one);
- the inputs are not modified.
Floats are compared with relative tolerance 1e-12, integers exactly. Exits non-zero on failure.
"""
import os
import sys

import numpy as np
from paraview.simple import LoadPlugin, TrivialProducer
from scipy.spatial.distance import cdist
from vtk_snapshot import differences, snapshot
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import VTK_LINE, VTK_POLY_VERTEX, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

METRICS = ("Max", "Sum", "Mean", "Hausdorff")
RTOL = 1e-12
PAIR_ARRAYS = ("ClusterId", "PairId", "PairDistance", "Mutual", "PairIndex")
TABLE_COLUMNS = ("SourceId", "TargetId", "Distance", "SourceToTarget", "TargetToSource", "Mutual",
                 "SourcePoints", "TargetPoints", "SourceCentroid", "TargetCentroid")
TIMES = ("WallTimeSeconds", "CPUTimeSeconds")


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- the oracle


class Cloud:
    """Points and labels of one input, grouped by cluster id (ascending)."""

    def __init__(self, snap):
        self.points = snap["points"]
        self.labels = snap["point_data"]["ClusterId"]
        check(np.isfinite(self.points).all(), "test data must be finite")
        self.ids = np.unique(self.labels)
        self.index_of_point = np.searchsorted(self.ids, self.labels)
        self.members = [np.flatnonzero(self.labels == i) for i in self.ids]
        self.sizes = np.array([len(m) for m in self.members], dtype=np.int64)
        self.centroids = np.array([self.points[m].mean(axis=0) for m in self.members])


def directed_distances(source, target, squared):
    """For every cluster pair, (mean, max) of the NN distances source->target and target->source."""
    shape = (len(source.ids), len(target.ids))
    mean_st, mean_ts, max_st, max_ts = (np.empty(shape) for _ in range(4))
    for i, a in enumerate(source.members):
        for j, b in enumerate(target.members):
            d = cdist(source.points[a], target.points[b], "sqeuclidean" if squared else "euclidean")
            st, ts = d.min(axis=1), d.min(axis=0)
            mean_st[i, j], mean_ts[i, j], max_st[i, j], max_ts[i, j] = st.mean(), ts.mean(), st.max(), ts.max()
    return mean_st, mean_ts, max_st, max_ts


def chamfer(directed, metric):
    mean_st, mean_ts, max_st, max_ts = directed
    return {"Max": np.maximum(mean_st, mean_ts), "Sum": mean_st + mean_ts,
            "Mean": (mean_st + mean_ts) * 0.5, "Hausdorff": np.maximum(max_st, max_ts)}[metric]


def nearest(values, limit):
    """Per row: column of least value (ties: smaller column, i.e. smaller id), -1 above limit."""
    best = values.argmin(axis=1)
    best_value = values[np.arange(len(values)), best]
    for row, value in zip(values, best_value):
        runner_up = np.partition(row, 1)[1] if len(row) > 1 else np.inf
        check(runner_up == value or runner_up - value > 1e-9 * value,
              f"test data has a near tie ({value} vs {runner_up}): oracle unsure")
        check(limit == 0 or abs(value - limit) > 1e-9 * value, "limit too close to a value: oracle unsure")
    return np.where((limit > 0) & (best_value > limit), -1, best)


def expected_result(source, target, values, limit):
    """Per side, per cluster: PairId, PairDistance, Mutual, PairIndex; and the pairs table."""
    s_near, t_near = nearest(values, limit), nearest(values.T, limit)
    rows = sorted({(s, t) for s, t in enumerate(s_near) if t >= 0} | {(s, t) for t, s in enumerate(t_near) if s >= 0})
    row_of = {pair: r for r, pair in enumerate(rows)}
    s_idx = np.array([s for s, _ in rows], dtype=np.int64).reshape(-1)
    t_idx = np.array([t for _, t in rows], dtype=np.int64).reshape(-1)
    s2t = np.array([s_near[s] == t for s, t in rows], dtype=np.uint8)
    t2s = np.array([t_near[t] == s for s, t in rows], dtype=np.uint8)
    table = {"SourceId": source.ids[s_idx], "TargetId": target.ids[t_idx], "Distance": values[s_idx, t_idx],
             "SourceToTarget": s2t, "TargetToSource": t2s, "Mutual": s2t & t2s,
             "SourcePoints": source.sizes[s_idx], "TargetPoints": target.sizes[t_idx],
             "SourceCentroid": source.centroids[s_idx].reshape(-1, 3),
             "TargetCentroid": target.centroids[t_idx].reshape(-1, 3)}

    def side(cloud, other, near, other_near, value_of, pair_of):
        paired = near >= 0
        return {"ClusterId": cloud.ids,
                "PairId": np.where(paired, other.ids[near], -1),
                "PairDistance": np.array([value_of(k, n) if n >= 0 else np.nan for k, n in enumerate(near)]),
                "Mutual": np.array([n >= 0 and other_near[n] == k for k, n in enumerate(near)], dtype=np.uint8),
                "PairIndex": np.array([row_of[pair_of(k, n)] if n >= 0 else -1 for k, n in enumerate(near)]),
                "Centroid": cloud.centroids}

    return (side(source, target, s_near, t_near, lambda k, n: values[k, n], lambda k, n: (k, n)),
            side(target, source, t_near, s_near, lambda k, n: values[n, k], lambda k, n: (n, k)),
            table)


# ---------------------------------------------------------------- comparisons


def assert_ints(actual, expected, what):
    check(actual.dtype.kind in "iu", f"{what}: integer array expected, got {actual.dtype}")
    check(actual.shape == np.shape(expected) and np.array_equal(actual, expected),
          f"{what}: differs from the oracle at {np.flatnonzero(np.asarray(actual != expected).reshape(-1))[:10]}")


def assert_floats(actual, expected, what, atol=0.0):
    expected = np.asarray(expected, dtype=np.float64)
    check(actual.dtype == np.float64, f"{what}: float64 expected, got {actual.dtype}")
    check(actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}")
    check(np.array_equal(np.isnan(actual), np.isnan(expected)), f"{what}: NaN where the oracle has none or back")
    ok = np.isnan(expected) | np.isclose(actual, expected, rtol=RTOL, atol=atol)
    check(ok.all(), f"{what}: {actual[~ok][:5]} != oracle {expected[~ok][:5]}")


def assert_grid(snap, cloud, expected, before, what):
    check(np.array_equal(snap["points"], cloud.points), f"{what}: output points differ from the input's")
    point_data, cell_data = snap["point_data"], snap["cell_data"]
    input_names = set(before["point_data"]) - {"ClusterId"}
    check(set(point_data) == input_names | set(PAIR_ARRAYS), f"{what}: point arrays {sorted(point_data)}")
    for name in input_names:
        check(differences(point_data[name], before["point_data"][name]) == [], f"{what}: input array {name} changed")
    check(set(cell_data) == set(PAIR_ARRAYS) | {"Centroid"}, f"{what}: cell arrays {sorted(cell_data)}")

    k = len(cloud.ids)
    check(len(snap["cell_types"]) == k, f"{what}: {len(snap['cell_types'])} cells for {k} clusters")
    check((snap["cell_types"] == VTK_POLY_VERTEX).all(), f"{what}: cells must be VTK_POLY_VERTEX")
    assert_ints(cell_data["ClusterId"], cloud.ids, f"{what} cell ClusterId (one cell per cluster, by id)")
    for c, points in enumerate(snap["cell_points"]):
        check(np.array_equal(points, cloud.members[c]), f"{what}: cell {c} does not hold exactly cluster "
              f"{cloud.ids[c]}'s points (labels {np.unique(cloud.labels[points])})")

    scale = np.abs(cloud.points).max()
    for name in PAIR_ARRAYS:
        per_point = expected[name][cloud.index_of_point]
        compare = assert_floats if name == "PairDistance" else assert_ints
        compare(point_data[name], per_point, f"{what} point {name}")
        compare(cell_data[name], expected[name], f"{what} cell {name}")
    assert_floats(cell_data["Centroid"], expected["Centroid"], f"{what} cell Centroid", atol=RTOL * scale)


def assert_table(columns, table, scale, what):
    check(list(columns) == list(TABLE_COLUMNS), f"{what}: columns {list(columns)}")
    for name in TABLE_COLUMNS:
        if columns[name].dtype.kind == "f":
            assert_floats(columns[name], table[name], f"{what} {name}", atol=RTOL * scale if "Centroid" in name else 0)
        else:
            assert_ints(columns[name], table[name], f"{what} {name}")


def assert_links(snap, table, scale, what):
    rows = len(table["SourceId"])
    check(len(snap["cell_types"]) == rows and (snap["cell_types"] == VTK_LINE).all(), f"{what}: one line per row")
    ends = np.empty((2 * rows, 3))
    ends[0::2], ends[1::2] = table["SourceCentroid"], table["TargetCentroid"]
    for r, points in enumerate(snap["cell_points"]):
        assert_floats(snap["points"][points], ends[2 * r:2 * r + 2], f"{what} line {r} ends", atol=RTOL * scale)
    cells = snap["cell_data"]
    check(set(cells) == {"Distance", "Mutual", "PairIndex", "SourceId", "TargetId"}, f"{what}: arrays {sorted(cells)}")
    assert_floats(cells["Distance"], table["Distance"], f"{what} Distance")
    assert_ints(cells["PairIndex"], np.arange(rows), f"{what} PairIndex")
    for name in ("Mutual", "SourceId", "TargetId"):
        assert_ints(cells[name], table[name], f"{what} {name}")


def threads_granted(asked):
    """Threads OpenMP can give: OMP_THREAD_LIMIT caps them."""
    return min(asked, int(os.environ.get("OMP_THREAD_LIMIT", asked)))


def assert_field(field, table, metric, squared, threads, what):
    check(set(field) == {"ChamferMetric", "SquaredDistances", "NumberOfThreads", "PairLabels", *TIMES},
          f"{what}: {sorted(field)}")
    labels = "".join(f"{s} -> {t}\n" for s, t in zip(table["SourceId"], table["TargetId"]))
    check(field["PairLabels"] == [labels], f"{what}: PairLabels {field['PairLabels']} != [{labels!r}]")
    check(field["ChamferMetric"] == [metric], f"{what}: ChamferMetric {field['ChamferMetric']} != {metric}")
    assert_ints(field["SquaredDistances"], [int(squared)], f"{what} SquaredDistances")
    assert_ints(field["NumberOfThreads"], [threads], f"{what} NumberOfThreads")
    for name in TIMES:
        check(len(field[name]) == 1 and np.isfinite(field[name][0]) and field[name][0] >= 0, f"{what}: {name}")


# ---------------------------------------------------------------- running the filter


def tie_clouds():
    """Singletons on integer coordinates, exact distances: source 7 is 5 from targets 9, -1 and 5
    (stored in that order), target 20 is 10 from sources 30 and 2. Ties go to -1 and to 2."""
    def cloud(points, ids):
        data = vtkPolyData()
        data.SetPoints(vtkPoints())
        data.GetPoints().SetData(numpy_to_vtk(np.array(points, dtype=np.float64), deep=1))
        labels = numpy_to_vtk(np.array(ids, dtype=np.int64), deep=1)
        labels.SetName("ClusterId")
        data.GetPointData().AddArray(labels)
        return data
    return (cloud([[30, 0, 0], [0, 0, 0], [10, 0, 0]], [30, 7, 2]),
            cloud([[0, 5, 0], [0, 0, 5], [3, 4, 0], [20, 0, 0]], [9, -1, 5, 20]))


def singleton_pairs(n):
    """n source singletons 4 apart along x (ids 0 ..), each 0.5 from its own target singleton (ids
    10,000 ..), 4 from the others at least: n mutual pairs, (i, 10,000 + i)."""
    def cloud(y, first_id):
        points = np.zeros((n, 3))
        points[:, 0], points[:, 1] = 4.0 * np.arange(n), y
        data = vtkPolyData()
        data.SetPoints(vtkPoints())
        data.GetPoints().SetData(numpy_to_vtk(points, deep=1))
        labels = numpy_to_vtk(first_id + np.arange(n, dtype=np.int64), deep=1)
        labels.SetName("ClusterId")
        data.GetPointData().AddArray(labels)
        return data
    return cloud(0.0, 0), cloud(0.5, 10_000)


def check_label_limit():
    """PairLabels up to 4,096 rows, with every row's label; none past it."""
    for n in (4096, 4097):
        source, target = singleton_pairs(n)
        matching = ChamferClusterMatching(Source=producer(source), Target=producer(target))  # noqa: F821
        outputs = run(matching)
        table = outputs[2]["columns"]
        assert_ints(table["SourceId"], np.arange(n), f"{n} singleton pairs: SourceId")
        assert_ints(table["TargetId"], 10_000 + np.arange(n), f"{n} singleton pairs: TargetId")
        labels = "".join(f"{i} -> {10_000 + i}\n" for i in range(n))
        for port, output in enumerate(outputs):
            carried = output["field"].get("PairLabels")
            if n <= 4096:
                check(carried == [labels], f"{n} singleton pairs, port {port}: PairLabels missing or wrong")
            else:
                check(carried is None, f"{n} singleton pairs, port {port}: PairLabels carried past 4,096 rows")


def read(path):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    check(reader.GetOutput().GetNumberOfPoints() > 0, f"{path}: no points read")
    return reader.GetOutput()


def producer(data):
    proxy = TrivialProducer()
    proxy.GetClientSideObject().SetOutput(data)
    return proxy


def run(matching, **properties):
    for name, value in properties.items():
        setattr(matching, name, value)
    matching.UpdatePipeline()
    algorithm = matching.GetClientSideObject()
    return [snapshot(algorithm.GetOutputDataObject(port)) for port in range(4)]


def comparable_across_threads(outputs):
    """Outputs without the field data that depends on the thread count and the clock."""
    return [{**o, "field": {k: v for k, v in o["field"].items() if k not in TIMES + ("NumberOfThreads",)}}
            for o in outputs]


def check_run(outputs, source, target, oracle, inputs, settings, what):
    expected_source, expected_target, table = oracle
    scale = max(np.abs(source.points).max(), np.abs(target.points).max())
    assert_grid(outputs[0], source, expected_source, inputs[0], f"{what} Source")
    assert_grid(outputs[1], target, expected_target, inputs[1], f"{what} Target")
    assert_table(outputs[2]["columns"], table, scale, f"{what} Pairs")
    assert_links(outputs[3], table, scale, f"{what} Pair Links")
    for port, output in enumerate(outputs):
        assert_field(output["field"], table, *settings, f"{what} port {port} field data")


def limit_leaving_some_unpaired(values):
    """Half-way between two middle best values of the source clusters: some paired, some not."""
    best = np.unique(values.min(axis=1))
    middle = len(best) // 2
    return 0.5 * (best[middle - 1] + best[middle])


def check_moved_frame(outputs, what):
    target = outputs[1]["point_data"]
    assert_ints(target["PairId"], target["TrueClusterId"], f"{what}: target PairId vs TrueClusterId")
    new_id = dict(zip(target["TrueClusterId"], target["ClusterId"]))
    source = outputs[0]["point_data"]
    assert_ints(source["PairId"], [new_id[i] for i in source["ClusterId"]], f"{what}: source PairId vs moved id")


def check_limit_boundary(matching, unlimited, what):
    """MaxPairDistance set to a value the filter itself reported: that cluster stays paired."""
    cells = [o["cell_data"] for o in unlimited[:2]]
    limit = float(np.sort(cells[0]["PairDistance"])[len(cells[0]["PairDistance"]) // 2])
    limited = run(matching, MaxPairDistance=limit)
    for port, name in enumerate(("Source", "Target")):
        kept = cells[port]["PairDistance"] <= limit
        got = limited[port]["cell_data"]
        assert_ints(got["PairId"], np.where(kept, cells[port]["PairId"], -1), f"{what} {name} PairId at limit {limit}")
        check(np.array_equal(got["PairDistance"][kept], cells[port]["PairDistance"][kept]),
              f"{what} {name}: PairDistance changed under a limit")
    check(np.isin(limit, limited[0]["cell_data"]["PairDistance"]), f"{what}: cluster with value == limit unpaired")


def check_pair_of_clouds(name, source_data, target_data):
    inputs = [snapshot(source_data), snapshot(target_data)]
    source, target = Cloud(inputs[0]), Cloud(inputs[1])
    # The clouds' ids include -1 (the tie clouds), a cluster like any other for the oracle: Skip Noise
    # off (test_inputs tests it on).
    matching = ChamferClusterMatching(Source=producer(source_data), Target=producer(target_data),  # noqa: F821
                                      SourceClusterArray=["POINTS", "ClusterId"],
                                      TargetClusterArray=["POINTS", "ClusterId"], SkipNoise=0)
    moved = "TrueClusterId" in inputs[1]["point_data"]
    runs = 0
    for squared in (0, 1):
        directed = directed_distances(source, target, squared)
        for metric in METRICS:
            values = chamfer(directed, metric)
            for limit in (0.0, limit_leaving_some_unpaired(values)):
                oracle = expected_result(source, target, values, limit)
                if limit:
                    check(-1 in oracle[0]["PairId"] and -1 in oracle[1]["PairId"], "limit must unpair some clusters")
                by_threads = []
                for threads in (1, 2):
                    what = f"{name}, {metric}, squared={squared}, limit={limit}, {threads} threads"
                    outputs = run(matching, Metric=metric, SquaredDistances=squared, MaxPairDistance=limit,
                                  NumberOfThreads=threads)
                    check_run(outputs, source, target, oracle, inputs, (metric, squared, threads_granted(threads)),
                              what)
                    if moved and limit == 0:
                        check_moved_frame(outputs, what)
                    by_threads.append(comparable_across_threads(outputs))
                    runs += 1
                diff = differences(by_threads[0], by_threads[1])
                check(diff == [], f"{what}: outputs of 1 and 2 threads differ in {diff}")
                if limit == 0:
                    check_limit_boundary(matching, outputs, what)
    for port, (snap, data) in enumerate(((inputs[0], source_data), (inputs[1], target_data))):
        diff = differences(snapshot(data), snap)
        check(diff == [], f"{name}: input {port} was modified: {diff}")
    print(f"{name}: {runs} runs match the oracle")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    LoadPlugin(sys.argv[1], ns=globals())
    try:
        left = read(os.path.join(sys.argv[2], "seed_left.vtp"))
        for other in ("seed_right.vtp", "seed_left_next.vtp"):
            check_pair_of_clouds(f"seed_left vs {other}", left, read(os.path.join(sys.argv[2], other)))
        check_pair_of_clouds("exact ties", *tie_clouds())
        check_label_limit()
    except Failure as failure:
        print(f"test_filter: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print("test_filter: all checks passed")


if __name__ == "__main__":
    main()
