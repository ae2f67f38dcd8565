"""Ghost points take no part in the matching, in one process.

Usage: pvpython test_ghost_points.py PLUGIN

Points flagged DUPLICATEPOINT or HIDDENPOINT in the vtkGhostType point array (copies of another
process's points, hidden points) must not count: each cluster's size, the pairs and their Chamfer
values are those of the cloud without them (a brute-force SciPy oracle on the other points), the
ghost points get PairId -1 and belong to no cell, a cluster made only of ghost points does not
exist, and every input array (vtkGhostType included) reaches the output. A vtkGhostType array that
is not one component of unsigned char (which VTK would silently ignore) is refused with a message.
"""
import sys

import numpy as np
from paraview import servermanager as sm
from paraview.simple import Delete, LoadPlugin, TrivialProducer
from scipy.spatial.distance import cdist
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkIdList, vtkLogger, vtkOutputWindow, vtkPoints, vtkStringOutputWindow
from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes, vtkPolyData

DUPLICATE, HIDDEN = vtkDataSetAttributes.DUPLICATEPOINT, vtkDataSetAttributes.HIDDENPOINT


def cloud(points, ids, ghosts=None, ghost_type=np.uint8):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=1))
    data.SetPoints(vtk_points)
    for name, values in (("ClusterId", ids), ("vtkGhostType", ghosts)):
        if values is not None:
            array = numpy_to_vtk(np.ascontiguousarray(values, dtype=ghost_type if name != "ClusterId" else np.int64), deep=1)
            array.SetName(name)
            data.GetPointData().AddArray(array)
    return data


def run(source, target):
    """The four outputs (copies) and VTK's messages meanwhile, captured instead of printed (so that
    ctest fails on any error printed outside)."""
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    messages = vtkStringOutputWindow()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    producers = []
    try:
        for data in (source, target):
            producers.append(TrivialProducer())
            producers[-1].GetClientSideObject().SetOutput(data)
        matching = ChamferClusterMatching(Source=producers[0], Target=producers[1])  # noqa: F821
        matching.UpdatePipeline()
        outputs = []
        for port in range(4):
            data = sm.Fetch(matching, idx=port)
            outputs.append(data.NewInstance())
            outputs[-1].DeepCopy(data)
        Delete(matching)
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
        for proxy in producers:
            Delete(proxy)
    return outputs, messages.GetOutput()


def oracle(source, target):
    """(source id, target id) -> Max-Chamfer value of each cluster's nearest both ways, sizes."""
    s_ids, t_ids = np.unique(source[1]), np.unique(target[1])
    values = np.array([[max(d.min(axis=1).mean(), d.min(axis=0).mean())
                        for d in (cdist(source[0][source[1] == s], target[0][target[1] == t]) for t in t_ids)]
                       for s in s_ids])
    pairs = {(s, t_ids[values[i].argmin()]): values[i].min() for i, s in enumerate(s_ids)}
    pairs.update({(s_ids[values[:, j].argmin()], t): values[:, j].min() for j, t in enumerate(t_ids)})
    sizes = {("s", s): int((source[1] == s).sum()) for s in s_ids}
    sizes.update({("t", t): int((target[1] == t).sum()) for t in t_ids})
    return pairs, sizes


def table(pairs_table):
    column = lambda name: vtk_to_numpy(pairs_table.GetColumnByName(name))  # noqa: E731
    rows = zip(column("SourceId"), column("TargetId"), column("Distance"), column("SourcePoints"),
               column("TargetPoints"))
    return {(s, t): (d, ns, nt) for s, t, d, ns, nt in rows}


def cell_point_ids(grid):
    ids, found = vtkIdList(), set()
    for cell in range(grid.GetNumberOfCells()):
        grid.GetCellPoints(cell, ids)
        found.update(ids.GetId(i) for i in range(ids.GetNumberOfIds()))
    return found


def test_ghost_points_do_not_count(rng):
    # Three clusters of four points each; cluster 0 also has four DUPLICATEPOINT copies far away
    # (the case: counted, they gave 8 points and a distance 20 times too large), cluster 1
    # two HIDDENPOINT points and one with both flags, and cluster 9 exists only as ghost points.
    centres = np.array([[0.0, 0, 0], [6, 0, 0], [0, 6, 0]])
    real = np.repeat(centres, 4, axis=0) + rng.normal(0, 0.3, (12, 3))
    real_ids = np.repeat([0, 1, 2], 4)
    ghost_points = np.concatenate([rng.normal(0, 0.3, (4, 3)) + [30, 30, 30],
                                   rng.normal(0, 0.3, (3, 3)) + [-20, 5, 0], rng.normal(0, 0.3, (2, 3))])
    ghost_ids = np.array([0, 0, 0, 0, 1, 1, 1, 9, 9])
    ghost_flags = np.array([DUPLICATE] * 4 + [HIDDEN, HIDDEN, DUPLICATE | HIDDEN, DUPLICATE, HIDDEN])
    # Ghost points interleaved with the others, as readers deliver them.
    order = rng.permutation(21)
    points = np.concatenate([real, ghost_points])[order]
    ids = np.concatenate([real_ids, ghost_ids])[order]
    flags = np.concatenate([np.zeros(12, dtype=np.uint8), ghost_flags])[order]
    is_ghost = flags != 0

    target_points = real + [0.4, 0.1, 0] + rng.normal(0, 0.1, (12, 3))
    target_ids = real_ids * 10 + 100
    # The target's own ghost copy of a point, right on the source's cluster 2: it must not pull it.
    target_all = np.concatenate([target_points, [[0.0, 6, 0]]])
    target_all_ids = np.concatenate([target_ids, [100]])
    target_flags = np.concatenate([np.zeros(12, dtype=np.uint8), [DUPLICATE]])

    outputs, text = run(cloud(points, ids, flags), cloud(target_all, target_all_ids, target_flags))
    assert "ERR" not in text and "Warn" not in text, f"no message expected: {text}"
    expected, sizes = oracle((points[~is_ghost], ids[~is_ghost]), (target_points, target_ids))
    got = table(outputs[2])
    assert set(got) == set(expected), f"pairs {sorted(got)}, expected {sorted(expected)}"
    for (s, t), value in expected.items():
        distance, ns, nt = got[(s, t)]
        assert np.isclose(distance, value, rtol=1e-12, atol=0), f"pair {(s, t)}: distance {distance}, expected {value}"
        assert (ns, nt) == (sizes[("s", s)], sizes[("t", t)]), f"pair {(s, t)}: sizes {(ns, nt)}"

    source = outputs[0]
    pair_id = vtk_to_numpy(source.GetPointData().GetArray("PairId"))
    assert np.all(pair_id[is_ghost] == -1), f"ghost points must have PairId -1: {pair_id[is_ghost]}"
    assert np.all(pair_id[~is_ghost] >= 0), "every other point is paired"
    assert source.GetNumberOfCells() == 3, f"{source.GetNumberOfCells()} cells: cluster 9 has only ghost points"
    assert cell_point_ids(source) == set(np.flatnonzero(~is_ghost)), "cells hold exactly the non-ghost points"
    passed = source.GetPointData().GetArray("vtkGhostType")
    assert passed is not None and np.array_equal(vtk_to_numpy(passed), flags), "vtkGhostType reaches the output"
    target_pair = vtk_to_numpy(outputs[1].GetPointData().GetArray("PairId"))
    assert target_pair[-1] == -1 and np.all(target_pair[:-1] >= 0), "the target's ghost point is unpaired"


def test_ghost_array_of_another_type_is_refused():
    points = np.zeros((3, 3))
    ids = np.zeros(3, dtype=np.int64)
    good = cloud(points, ids)
    for bad_type, what in ((np.int32, "int"), (np.float64, "double")):
        outputs, text = run(good, cloud(points, ids, np.array([0, 1, 0]), ghost_type=bad_type))
        assert "Target point array 'vtkGhostType'" in text and "unsigned char" in text, \
            f"a {what} vtkGhostType must be refused by name: {text}"
        assert outputs[0].GetNumberOfPoints() == 0 and outputs[2].GetNumberOfRows() == 0, "empty outputs"


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    rng = np.random.default_rng(13)
    test_ghost_points_do_not_count(rng)
    test_ghost_array_of_another_type_is_refused()
    print("test_ghost_points: all checks passed")


if __name__ == "__main__":
    main()
