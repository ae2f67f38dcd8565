"""Under an address-space limit the filter reports "out of memory" with empty outputs, and never
aborts, whatever the allocation that fails.

Usage: pvpython test_out_of_memory.py PLUGIN

Two clouds of 2,000,000 points (4,000 clusters each), matched on one thread by the filter itself
(its VTK object, no proxy layer) with the address space limited to what the process uses plus some
headroom. A bisection finds the least headroom with which the match succeeds on this build (its
result checked against the run without a limit); then headrooms from 0 up to it, every few
megabytes, must each give either that result or the "out of memory" error with every output empty.
The failing band includes the filter's own allocations of the output arrays, where VTK aborted the
process instead of reporting (issue 13: ~340-360 MB of address space for these clouds with the CLI).
"""
import os
import sys

import numpy as np
from paraview.simple import LoadPlugin, TrivialProducer
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkPolyData

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from address_space import MB, limited  # noqa: E402

SWEEP_STEP = 6 * MB


def cloud(points, ids):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=1))
    data.SetPoints(vtk_points)
    array = numpy_to_vtk(ids, deep=1)
    array.SetName("ClusterId")
    data.GetPointData().AddArray(array)
    return data


class Matching:
    """The filter's VTK object on two clouds, run with or without an address-space limit."""

    def __init__(self, source, target):
        self.producers = [TrivialProducer() for _ in range(2)]
        for producer, data in zip(self.producers, (source, target)):
            producer.GetClientSideObject().SetOutput(data)
        self.proxy = ChamferClusterMatching(Source=self.producers[0], Target=self.producers[1],  # noqa: F821
                                            NumberOfThreads=1)  # no thread to start under the limit
        self.algorithm = self.proxy.GetClientSideObject()

    def run(self, headroom=None):
        """(pair ids of the source points or None, messages). With `headroom`, the address space is
        limited to what is in use plus that many bytes while the filter runs."""
        for port in range(4):
            self.algorithm.GetOutputDataObject(port).Initialize()  # last run's outputs: not counted
        self.algorithm.Modified()
        with limited(headroom) as messages:
            self.algorithm.Update()
        text = messages.GetOutput()
        pair_id = self.algorithm.GetOutputDataObject(0).GetPointData().GetArray("PairId")
        if pair_id is None:
            return None, text
        return vtk_to_numpy(pair_id).copy(), text

    def empty_outputs(self):
        outputs = [self.algorithm.GetOutputDataObject(port) for port in range(4)]
        return (all(o.GetNumberOfPoints() == 0 and o.GetNumberOfCells() == 0 for o in (outputs[0], outputs[1], outputs[3]))
                and outputs[2].GetNumberOfRows() == 0 and outputs[2].GetNumberOfColumns() == 0)


def check(matching, headroom, expected):
    """"ok" when the run with this headroom succeeds with the expected pairs; otherwise it must report
    running out of memory with empty outputs: "core" when the core's allocations failed, "filter"
    when the filter's own (its input conversion and output arrays) did."""
    pair_id, text = matching.run(headroom)
    where = f"headroom {headroom / MB:.0f} MB"
    if pair_id is not None:
        assert np.array_equal(pair_id, expected), f"{where}: other pairs than without a limit"
        assert "ERR" not in text, f"{where}: success with an error: {text}"
        return "ok"
    assert "out of memory" in text, f"{where}: failed without saying out of memory: {text}"
    assert matching.empty_outputs(), f"{where}: outputs not empty after the error"
    return "filter" if "Chamfer cluster matching ran out of memory" in text else "core"


def main():
    LoadPlugin(sys.argv[1], ns=globals())
    rng = np.random.default_rng(13)
    n, k = 2_000_000, 4_000
    centres = rng.uniform(0, 1000, (k, 3))
    ids = rng.integers(0, k, n).astype(np.int64)
    points = centres[ids] + rng.normal(0, 2, (n, 3))
    matching = Matching(cloud(points, ids), cloud(points + 0.5, ids * 3 + 1))
    expected, text = matching.run()
    assert expected is not None and np.array_equal(expected, ids * 3 + 1), f"the run without a limit: {text}"

    low, high = 0, 1024 * MB
    assert check(matching, high, expected) == "ok", "1 GB of headroom must be enough"
    while high - low > 2 * MB:
        middle = (low + high) // 2
        if check(matching, middle, expected) == "ok":
            high = middle
        else:
            low = middle
    outcomes = [check(matching, headroom, expected) for headroom in range(0, high, SWEEP_STEP)]
    counts = {kind: outcomes.count(kind) for kind in ("core", "filter", "ok")}
    # The sweep must reach the band where the filter's own allocations fail, or it proves nothing.
    assert counts["filter"] > 0 and counts["core"] > 0, f"headrooms below {high / MB:.0f} MB: {counts}"
    print(f"test_out_of_memory: succeeds from {high / MB:.0f} MB of headroom; below, every {SWEEP_STEP // MB} MB: "
          f"{counts['core']} out of memory in the core, {counts['filter']} in the filter's arrays, "
          f"{counts['ok']} succeeded")


if __name__ == "__main__":
    main()
