"""Cluster Tracking and Euclidean Clusters under MPI (run with mpiexec -n N pvbatch): every split of
the steps over the ranks gives the clusters, tracks, events and per-point annotations of one process.

Usage: mpiexec -n N pvbatch test_mpi_tracking.py PLUGIN N DATA_DIR [errors]

The one-process answer: the filter on the series whole on rank 0 (a source that does not split its
output leaves the other ranks' pieces empty), which tracks exactly what one process reads. Against it:
ParaView's own spatial split of every step (RedistributeDataSet), clusters cut by the split included,
and the same for a series of hexahedral meshes whose regions move (a .pvd read whole on rank 0, then
split by cells), whose pieces share the points of the faces along each cut: one copy of each takes
part (TrackId -1 and no cell for the others); and the three Kinect frames of data/kinect, clustered by
Euclidean Clusters (whole on rank 0, or split first: clusters cross the pieces' borders) and
tracked, with the ids and the cluster sizes one process finds. Tracks and Events
are rank 0's (Fetch); the Clusters output is saved as .pvtu pieces and read back piece by piece (Fetch
brings rank 0's piece only): every point once, with its cluster's TrackId and LinkDistance, and one
cell per cluster a piece holds. With `errors`: a bad input on every rank, or on one rank only (an
array that one piece lacks), and a bad property stop every rank with an error and empty outputs, and
the filter tracks again once fixed (it would wait forever if the ranks disagreed). The script runs
on rank 0.
"""
import glob
import os
import sys
import tempfile

import numpy as np
from paraview import servermanager as sm
from paraview.simple import (CreateWriter, Delete, LoadPlugin, OpenDataFile, OutputPort, ProgrammableFilter,
                             RedistributeDataSet, XMLPolyDataReader)
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridReader, vtkXMLUnstructuredGridWriter

from labelled_meshes import labelled_mesh


def write_mesh_series(directory, steps=5):
    """A .pvd of hexahedral meshes (a jittered grid of points), cluster ids by 5 x 5 regions of x and y
    whose cuts move by 0.8 a step, renumbered at every step. Returns the .pvd's path."""
    rng = np.random.default_rng(7)
    entries = []
    for step in range(steps):
        grid, _, _ = labelled_mesh(rng, (18, 16, 5), cut=0.8 * step, renumber=3, add=7 * step)
        writer = vtkXMLUnstructuredGridWriter()
        writer.SetFileName(os.path.join(directory, f"mesh_{step}.vtu"))
        writer.SetInputData(grid)
        writer.SetDataModeToBinary()  # appended mode does not read back with this ParaView
        writer.Write()
        entries.append(f'<DataSet timestep="{step}" file="mesh_{step}.vtu"/>')
    path = os.path.join(directory, "mesh.pvd")
    with open(path, "w") as file:
        file.write('<VTKFile type="Collection" version="0.1"><Collection>' + "".join(entries) + "</Collection></VTKFile>")
    return path


def tracks_of(tracking):
    """Rank 0's Tracks as (track id, start, end, parent, merged into, (step, cluster id) per point)."""
    tracks = sm.Fetch(tracking, idx=1)
    cells, points = tracks.GetCellData(), tracks.GetPointData()
    steps, clusters = (vtk_to_numpy(points.GetArray(name)) for name in ("Step", "ClusterId"))
    rows = []
    for t in range(tracks.GetNumberOfCells()):
        ids = tracks.GetCell(t).GetPointIds()
        members = tuple((int(steps[ids.GetId(i)]), int(clusters[ids.GetId(i)])) for i in range(ids.GetNumberOfIds()))
        rows.append(tuple(int(cells.GetArray(name).GetValue(t)) for name in
                          ("TrackId", "StartStep", "EndStep", "ParentTrackId", "MergedIntoTrackId")) + (members,))
    return rows, vtk_to_numpy(tracks.GetPoints().GetData()).copy()


def events_of(tracking):
    table = sm.Fetch(tracking, idx=2)
    columns = [table.GetColumnByName(name) for name in ("Step", "Kind", "TrackId", "OtherTrackId")]
    return [tuple(str(c.GetValue(r)) for c in columns) for r in range(table.GetNumberOfRows())]


def clusters_at(tracking, time, path):
    """Every rank's Clusters piece at `time`, written and read back: the points sorted by position,
    with ClusterId, TrackId and LinkDistance, and how many ranks hold points."""
    writer = CreateWriter(path, proxy=OutputPort(tracking, 0), DataMode="Binary")  # appended mode does not read back
    writer.UpdatePipeline(time)
    Delete(writer)
    rows, holders = [], 0
    for piece in glob.glob(os.path.join(path[:-len(".pvtu")], "*.vtu")):
        reader = vtkXMLUnstructuredGridReader()
        reader.SetFileName(piece)
        reader.Update()
        grid = reader.GetOutput()
        if grid.GetNumberOfPoints() == 0:
            continue
        holders += 1
        data = grid.GetPointData()
        ids, track, link = (vtk_to_numpy(data.GetArray(name)) for name in ("ClusterId", "TrackId", "LinkDistance"))
        cell_ids = vtk_to_numpy(grid.GetCellData().GetArray("ClusterId"))
        cell_tracks = vtk_to_numpy(grid.GetCellData().GetArray("TrackId"))
        taking_part = track != -1
        assert sorted(cell_ids) == sorted(set(ids[taking_part])), f"{piece}: one cell per cluster of the piece"
        for c in range(grid.GetNumberOfCells()):
            point_ids = grid.GetCell(c).GetPointIds()
            members = [point_ids.GetId(i) for i in range(point_ids.GetNumberOfIds())]
            assert set(ids[members]) == {cell_ids[c]} and set(track[members]) == {cell_tracks[c]}, \
                f"{piece}: cell {c} holds the points of cluster {cell_ids[c]}, track {cell_tracks[c]}"
        xyz = vtk_to_numpy(grid.GetPoints().GetData())
        rows.append(np.column_stack([xyz, ids, track, link]))
    rows = np.concatenate(rows) if rows else np.zeros((0, 6))
    return rows[np.lexsort(rows[:, 2::-1].T)], holders


def same_clusters(expected, got, what):
    assert expected.shape == got.shape, f"{what}: {len(got)} points, one process has {len(expected)}"
    assert np.array_equal(expected[:, :5], got[:, :5]), f"{what}: positions, cluster or track ids differ"
    assert np.allclose(expected[:, 5], got[:, 5], rtol=1e-12, atol=0, equal_nan=True), \
        f"{what}: LinkDistance differs beyond rounding"


STRIP_OTHER_RANKS = """
from vtkmodules.vtkParallelCore import vtkMultiProcessController
output.ShallowCopy(inputs[0].VTKObject)
if vtkMultiProcessController.GetGlobalController().GetLocalProcessId() > 0:
    output.GetPointData().RemoveArray("ClusterId")
"""


def check_errors(source, directory):
    """Bad inputs and properties under MPI: every rank stops with empty outputs, then tracks again."""
    time = list(source.TimestepValues)[0]
    split = RedistributeDataSet(Input=source)
    # The cluster ids on rank 0's piece only: the other ranks cannot read theirs, rank 0 can.
    stripped = ProgrammableFilter(Input=split, Script=STRIP_OTHER_RANKS)
    partial = ClusterTracking(Input=stripped)  # noqa: F821
    tracking = ClusterTracking(Input=split, MaxLinkDistance=-1.0)  # noqa: F821
    for what, proxy in (("cluster ids on one rank only", partial), ("MaxLinkDistance -1", tracking)):
        proxy.UpdatePipeline(time)
        assert sm.Fetch(proxy, idx=1).GetNumberOfCells() == 0, f"{what}: tracks output not empty"
        rows, _ = clusters_at(proxy, time, os.path.join(directory, f"error_{proxy.GetGlobalIDAsString()}.pvtu"))
        assert len(rows) == 0, f"{what}: {len(rows)} points annotated"
    tracking.MaxLinkDistance = 0.0
    tracking.UpdatePipeline(time)
    assert sm.Fetch(tracking, idx=1).GetNumberOfCells() > 0, "no tracks once the property is fixed"
    print("errors: every rank stopped with empty outputs, and tracked again once fixed")


def compare(whole, split, shared, ranks, directory, least_tracks, times):
    """The tracking of `split` (a split of the series `whole`) against that of `whole` on rank 0 alone.
    With `shared`, pieces may hold copies of each other's points (a mesh split by cells)."""
    results = []
    for what, data in (("one rank", whole), ("split", split)):
        tracking = ClusterTracking(Input=data)  # noqa: F821
        tracking.UpdatePipeline(times[0])
        tracks, centroids = tracks_of(tracking)
        steps = [clusters_at(tracking, t, os.path.join(directory, f"{tracking.GetGlobalIDAsString()}_{s}.pvtu"))
                 for s, t in enumerate(times)]
        results.append((tracks, centroids, events_of(tracking), steps))
    (one_tracks, one_centroids, one_events, one_steps), (tracks, centroids, events, steps) = results
    assert len(one_tracks) >= least_tracks and any(e[1] in ("split", "merge") for e in one_events), \
        f"the series is too plain to test: {len(one_tracks)} tracks, events {set(e[1] for e in one_events)}"
    assert all(holders == 1 for _, holders in one_steps), "one rank: points on several ranks"
    assert tracks == one_tracks, "the tracks differ from one process's"
    assert np.allclose(centroids, one_centroids, rtol=1e-12, atol=1e-12), "the tracks' centroids differ"
    assert events == one_events, "the events differ from one process's"
    for s, ((got, holders), (expected, _)) in enumerate(zip(steps, one_steps)):
        if shared:
            got = got[got[:, 4] != -1]  # the shared points' other copies take no part
        same_clusters(expected, got, f"step {s}")
        assert holders == ranks, f"step {s}: points on {holders} ranks, expected {ranks}"
    return f"{len(tracks)} tracks, {len(events)} events and every point of {len(times)} steps"


def main():
    plugin, ranks = sys.argv[1], int(sys.argv[2])
    LoadPlugin(plugin, ns=globals())  # defines MovingClusters, ClusterTracking
    partitions = sm.vtkProcessModule.GetProcessModule().GetNumberOfLocalPartitions()
    assert partitions == ranks, f"running on {partitions} ranks, expected {ranks}"
    source = MovingClusters(StepCount=8, ClusterCount=25, Seed=5, SplitProbability=0.05,  # noqa: F821
                            MergeProbability=0.05, GapProbability=0.05)
    with tempfile.TemporaryDirectory() as directory:
        if sys.argv[4:] == ["errors"]:
            check_errors(source, directory)
            return
        figures = compare(source, RedistributeDataSet(Input=source), False, ranks, directory, 25,
                          list(source.TimestepValues))
        print(f"clouds redistributed: {figures} agree with one process on {ranks} ranks")
        mesh = OpenDataFile(write_mesh_series(directory))
        figures = compare(mesh, RedistributeDataSet(Input=mesh), True, ranks, directory, 10, list(mesh.TimestepValues))
        print(f"meshes redistributed: {figures} agree with one process on {ranks} ranks")
        frames = XMLPolyDataReader(FileName=[os.path.join(sys.argv[3], "kinect", f"frame_{k}.vtp") for k in range(3)])
        demo = dict(Radius=0.02, MinNeighbors=16, MinClusterSize=50, MaxClusterSize=5000)  # the README's
        whole, split = (EuclideanClusters(Input=data, **demo)  # noqa: F821
                        for data in (frames, RedistributeDataSet(Input=frames)))
        for time in frames.TimestepValues:
            sizes = [vtk_to_numpy(sm.Fetch(c).GetFieldData().GetArray("ClusterSize")) for c in (whole, split)
                     if c.UpdatePipeline(time) is None]
            assert len(sizes[0]) > 10 and np.array_equal(*sizes), f"Kinect frame {time}: cluster sizes differ"
        figures = compare(whole, split, False, ranks, directory, 20, list(frames.TimestepValues))
        print(f"Kinect frames clustered and tracked: {figures} agree with one process on {ranks} ranks")


if __name__ == "__main__":
    main()
