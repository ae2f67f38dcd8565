"""The filter under awkward but valid input, and refusing invalid input without crashing.

Usage: pvpython test_robustness.py PLUGIN

Valid input that must work: float32 coordinates, int64-extreme/negative/sparse ids, float ids
holding whole numbers, one-point clouds, one cluster per cloud, duplicate points, 100k singleton
clusters (with progress reported as they run), NaN and infinite coordinates (left out, warned about, PairId -1), an empty cloud (warned
about), input arrays named like output arrays (kept as <name>_input), an update after a cancelled
one (runs in full), thread counts far above the machine's (clamped, with a warning). Invalid input that must be
refused with a message naming the input and the problem, and empty outputs: a composite input with an
image block, an image input, a cluster array selected as cell data, a Metric that is none of the four
(not clamped).
Inputs must never be modified.
"""
import os
import sys

import numpy as np
from paraview import servermanager as sm
from paraview.simple import LoadPlugin, TrivialProducer
from scipy.spatial.distance import cdist
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkOutputWindow, vtkPoints, vtkStringOutputWindow
from vtkmodules.vtkCommonDataModel import vtkImageData, vtkMultiBlockDataSet, vtkPolyData



def cloud(points, ids, dtype=np.float64, extra=None):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=dtype), deep=1))
    data.SetPoints(vtk_points)
    array = numpy_to_vtk(np.ascontiguousarray(ids), deep=1)
    array.SetName("ClusterId")
    data.GetPointData().AddArray(array)
    for name, values in (extra or {}).items():
        more = numpy_to_vtk(np.ascontiguousarray(values), deep=1)
        more.SetName(name)
        data.GetPointData().AddArray(more)
    return data


def producer(data):
    proxy = TrivialProducer()
    proxy.GetClientSideObject().SetOutput(data)
    return proxy


def run(source, target, progress=None, **properties):
    """Outputs of the filter, and the messages it printed (captured only while it runs: pvpython
    prints Python errors through the same window). Progress values go to the list `progress`."""
    previous = vtkOutputWindow.GetInstance()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    try:
        matching = ChamferClusterMatching(Source=producer(source), Target=producer(target), **properties)  # noqa: F821
        if progress is not None:
            algorithm = matching.GetClientSideObject()
            algorithm.AddObserver("ProgressEvent", lambda caller, event: progress.append(caller.GetProgress()))
        matching.UpdatePipeline()
        outputs = [sm.Fetch(matching, idx=port) for port in range(4)]
    finally:
        vtkOutputWindow.SetInstance(previous)
    return outputs, messages.GetOutput()


def point_array(grid, name):
    return vtk_to_numpy(grid.GetPointData().GetArray(name))


def table_pairs(table):
    return {(table.GetColumnByName("SourceId").GetValue(r), table.GetColumnByName("TargetId").GetValue(r))
            for r in range(table.GetNumberOfRows())}


def nearest_by_brute_force(a_points, a_ids, b_points, b_ids):
    """Source id -> target id of least Max-Chamfer value, ties to the smaller id."""
    result = {}
    b_unique = np.unique(b_ids)
    for s in np.unique(a_ids):
        a = a_points[a_ids == s]
        values = []
        for t in b_unique:
            d = cdist(a, b_points[b_ids == t])
            values.append(max(d.min(axis=1).mean(), d.min(axis=0).mean()))
        result[s] = b_unique[int(np.argmin(values))]
    return result


def test_awkward_ids_and_float_points(rng):
    extremes = np.array([np.iinfo(np.int64).min, -1, 0, 17, np.iinfo(np.int64).max], dtype=np.int64)
    centres = rng.uniform(0, 50, (5, 3))
    ids = np.repeat(extremes, 30)
    points = centres[np.repeat(np.arange(5), 30)] + rng.normal(0, 1, (150, 3))
    moved = points + 0.2
    # -1 is one of the awkward ids here, a cluster like any other: Skip Noise off.
    outputs, _ = run(cloud(points, ids, np.float32), cloud(moved, ids, np.float32), SkipNoise=0)
    pair_ids = point_array(outputs[0], "PairId")
    assert np.array_equal(pair_ids, ids), "int64-extreme ids with float32 points must pair each with itself"
    # int64 extremes are not whole numbers that a double holds exactly: 2^63 is refused, 1e15 is fine.
    float_ids = ids.astype(np.float64)
    _, text = run(cloud(points, float_ids), cloud(moved, float_ids), SkipNoise=0)
    assert "is not an integer that fits in 64 bits" in text, f"2^63 as a double must be refused: {text}"
    float_ids[ids == extremes[0]], float_ids[ids == extremes[-1]] = -5.0, 1e15
    outputs_f, text = run(cloud(points, float_ids), cloud(moved, float_ids), SkipNoise=0)
    assert "ERR" not in text and outputs_f[2].GetNumberOfRows() == 5, "whole-number float ids are accepted"
    assert np.array_equal(point_array(outputs_f[0], "PairId"), float_ids), "float ids pair as the int64 ones"


def test_tiny_and_degenerate_clouds():
    one = cloud(np.zeros((1, 3)), np.array([4], dtype=np.int64))
    other = cloud(np.array([[3.0, 4.0, 0.0]]), np.array([9], dtype=np.int32))
    outputs, _ = run(one, other)
    table = outputs[2]
    assert table.GetNumberOfRows() == 1 and table.GetColumnByName("Distance").GetValue(0) == 5.0, "one point each"
    duplicates = cloud(np.ones((10, 3)), np.zeros(10, dtype=np.int64))
    outputs, _ = run(duplicates, duplicates)
    assert outputs[2].GetColumnByName("Distance").GetValue(0) == 0.0, "duplicate points, one cluster each"


def test_non_finite_points_and_empty_cloud(rng):
    points = rng.normal(0, 1, (40, 3))
    points[3] = [np.nan, 0, 0]
    points[7] = [0, np.inf, 0]
    ids = np.repeat(np.arange(4, dtype=np.int64), 10)
    outputs, text = run(cloud(points, ids), cloud(points + 0.1, ids))
    assert "2 points with a NaN or infinite coordinate" in text, f"warning expected, got: {text}"
    pair = point_array(outputs[0], "PairId")
    assert pair[3] == -1 and pair[7] == -1 and np.all(np.delete(pair, [3, 7]) >= 0), "non-finite points unpaired"
    empty = cloud(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))
    outputs, text = run(empty, cloud(points, ids))
    assert "Source input has no usable points" in text, f"warning expected, got: {text}"
    assert np.all(point_array(outputs[1], "PairId") == -1) and outputs[2].GetNumberOfRows() == 0


def test_colliding_array_names_and_untouched_inputs(rng):
    points = rng.normal(0, 3, (60, 3))
    ids = np.repeat(np.arange(3, dtype=np.int64), 20)
    own = np.arange(60, dtype=np.int32)
    source = cloud(points, ids, extra={"PairId": own})
    before = vtk_to_numpy(source.GetPointData().GetArray("PairId")).copy()
    outputs, _ = run(source, cloud(points, ids))
    assert np.array_equal(point_array(outputs[0], "PairId_input"), own), "input PairId kept as PairId_input"
    assert source.GetPointData().GetArray("PairId").GetName() == "PairId", "the input array keeps its name"
    assert np.array_equal(vtk_to_numpy(source.GetPointData().GetArray("PairId")), before), "input untouched"
    assert source.GetPointData().GetNumberOfArrays() == 2, "no array added to the input"


def test_many_singletons(rng):
    n = 100_000
    points = rng.uniform(0, 100, (n, 3))
    ids = rng.permutation(n).astype(np.int64) * 3
    progress = []
    outputs, _ = run(cloud(points, ids), cloud(points + 1e-3, ids + 1), progress)
    assert np.array_equal(point_array(outputs[0], "PairId"), ids + 1), "every singleton pairs with its copy"
    assert len(progress) > 10 and progress == sorted(progress) and progress[-1] > 0.9, "progress reported"
    assert outputs[2].GetNumberOfRows() == n and outputs[0].GetNumberOfCells() == n


def test_against_brute_force(rng):
    centres = rng.uniform(0, 8, (12, 3))
    sizes = rng.integers(1, 25, 12)
    ids = np.repeat(np.arange(12, dtype=np.int64) * 7 - 30, sizes)
    points = centres[np.repeat(np.arange(12), sizes)] + rng.normal(0, 1.5, (len(ids), 3))
    other_ids = rng.integers(0, 9, len(ids)).astype(np.int64)
    other = rng.normal(4, 3, (len(ids), 3))
    outputs, _ = run(cloud(points, ids), cloud(other, other_ids))
    expected = nearest_by_brute_force(points, ids, other, other_ids)
    got = dict(zip(point_array(outputs[0], "ClusterId"), point_array(outputs[0], "PairId")))
    assert got == expected, "overlapping, unrelated clusters: pairs as brute force"


def test_cancel_then_update(rng):
    """A cancel (SetAbortExecute(1) during an update, as ParaView's progress dialog does) stops that
    update with the cancel message and empty outputs; the next update runs in full: the flag is
    cleared at the start of each execution."""
    n = 20_000
    points = rng.uniform(0, 100, (n, 3))
    ids = rng.permutation(n).astype(np.int64)
    matching = ChamferClusterMatching(Source=producer(cloud(points, ids)),  # noqa: F821
                                      Target=producer(cloud(points + 1e-3, ids + 1)))
    algorithm = matching.GetClientSideObject()
    tag = algorithm.AddObserver("ProgressEvent", lambda caller, event: caller.SetAbortExecute(1))
    previous = vtkOutputWindow.GetInstance()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    try:
        matching.UpdatePipeline()
    finally:
        vtkOutputWindow.SetInstance(previous)
    text = messages.GetOutput()
    assert "cancelled by the progress callback" in text, f"the cancel must be reported: {text}"
    assert algorithm.GetOutputDataObject(0).GetNumberOfPoints() == 0, "a cancelled run leaves empty outputs"
    algorithm.RemoveObserver(tag)
    matching.MaxPairDistance = 1.0  # the next update: a property changed (pairs are 0.0017 apart)
    matching.UpdatePipeline()
    pair_ids = algorithm.GetOutputDataObject(0).GetPointData().GetArray("PairId")
    assert pair_ids is not None and np.array_equal(vtk_to_numpy(pair_ids), ids + 1), \
        "the update after a cancel must run in full"


def test_huge_thread_counts(rng):
    """NumberOfThreads 40000, 100000 and 2^31-1 (libgomp failed creating threads, or segfaulted) run
    on the maximum, with a warning saying so, and give the one-thread results."""
    centres = rng.uniform(0, 50, (20, 3))
    ids = np.repeat(np.arange(20, dtype=np.int64), 15)
    points = centres[ids] + rng.normal(0, 1, (len(ids), 3))
    source, target = cloud(points, ids), cloud(points + 0.3, ids * 2 + 1)
    expected, _ = run(source, target, NumberOfThreads=1)
    maximum = 4 * len(os.sched_getaffinity(0))  # processors this process may run on, as OpenMP counts them
    for requested in (40_000, 100_000, 2**31 - 1):
        outputs, text = run(source, target, NumberOfThreads=requested)
        assert (f"NumberOfThreads {requested} is more than this machine allows ({maximum}, 4 per processor): "
                f"{maximum} threads are used") in text, f"{requested}: warning expected: {text}"
        used = outputs[2].GetFieldData().GetArray("NumberOfThreads").GetValue(0)
        assert 1 <= used <= maximum, f"{requested}: {used} threads used"
        assert np.array_equal(point_array(outputs[0], "PairId"), point_array(expected[0], "PairId")), \
            f"{requested}: other pairs than with one thread"
    _, text = run(source, target, NumberOfThreads=maximum)
    assert "NumberOfThreads" not in text, f"the maximum itself needs no warning: {text}"


def test_refusals():
    image = vtkImageData()
    image.SetDimensions(2, 2, 2)
    blocks = vtkMultiBlockDataSet()  # composite inputs are matched by their blocks' points (test_inputs)
    blocks.SetBlock(0, cloud(np.zeros((3, 3)), np.zeros(3, dtype=np.int64)))
    blocks.SetBlock(1, image)
    good = cloud(np.zeros((3, 3)), np.zeros(3, dtype=np.int64))
    cells = {"SourceClusterArray": ["CELLS", "ClusterId"]}
    metric_values = "Metric {}: not one of 0 (Max), 1 (Sum), 2 (Mean), 3 (Hausdorff)"
    for bad, expected, properties in (
            (blocks, "Source input: block 2 of the vtkMultiBlockDataSet is a vtkImageData, not a point set", {}),
            (image, "Source input is a vtkImageData, not a point set", {}),
            (good, "Source cluster array 'ClusterId' is not selected as point data", cells),
            (good, metric_values.format(4), {"Metric": 4}),
            (good, metric_values.format(99), {"Metric": 99}),
            (good, metric_values.format(-1), {"Metric": -1})):
        outputs, text = run(bad, good, **properties)
        assert expected in text, f"expected '{expected}' in: {text}"
        assert all(o.GetNumberOfPoints() == 0 for o in (outputs[0], outputs[1], outputs[3])), "empty outputs"
        assert outputs[2].GetNumberOfRows() == 0, "empty table"


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    rng = np.random.default_rng(6)
    test_awkward_ids_and_float_points(rng)
    test_tiny_and_degenerate_clouds()
    test_non_finite_points_and_empty_cloud(rng)
    test_colliding_array_names_and_untouched_inputs(rng)
    test_many_singletons(rng)
    test_against_brute_force(rng)
    test_cancel_then_update(rng)
    test_huge_thread_counts(rng)
    test_refusals()
    print("test_robustness: all checks passed")


if __name__ == "__main__":
    main()
