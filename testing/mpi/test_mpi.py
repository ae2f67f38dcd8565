"""Chamfer Cluster Matching under MPI (run with mpiexec -n N pvbatch): the same pairs, distances and
per-point annotations as a brute-force NumPy oracle, whatever the split of the clouds over the ranks.

Usage: mpiexec -n N pvbatch test_mpi.py PLUGIN N

Three splits: the whole files read by one reader (rank 0 holds everything, the others are empty);
ParaView's own spatial split (RedistributeDataSet); and a partitioned .pvtp whose pieces hold random
points, so that every cluster is spread over several ranks. The script runs on rank 0.
"""
import glob
import os
import sys
import tempfile

import numpy as np
from scipy.spatial.distance import cdist
from paraview import servermanager as sm
from paraview.simple import LoadPlugin, OpenDataFile, OutputPort, RedistributeDataSet, SaveData
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter, vtkXMLUnstructuredGridReader

PIECES = 5


def clouds(rng):
    """Source clusters and their next frame: moved clusters, ids renumbered."""
    k = 36
    centres = rng.uniform(0, 25, (k, 3))
    sizes = rng.integers(1, 120, k)
    ids = np.repeat(np.arange(k), sizes)
    points = centres[ids] + rng.normal(0, 0.8, (len(ids), 3))
    order = rng.permutation(len(ids))
    source = (points[order], ids[order] * 5 - 40)
    moved = points + rng.uniform(-0.4, 0.4, (k, 3))[ids] + rng.normal(0, 0.02, points.shape)
    keep = rng.random(len(ids)) > 0.1
    target = (moved[keep], ids[keep] * 3 + 7)
    return source, target


def polydata(points, labels):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points), deep=1))
    data.SetPoints(vtk_points)
    array = numpy_to_vtk(labels.astype(np.int64), deep=1)
    array.SetName("ClusterId")
    data.GetPointData().AddArray(array)
    # One vertex per point: ParaView's redistribution moves cells, not bare points.
    verts = vtkCellArray()
    for i in range(len(labels)):
        verts.InsertNextCell(1)
        verts.InsertCellPoint(i)
    data.SetVerts(verts)
    return data


def write_vtp(path, points, labels):
    writer = vtkXMLPolyDataWriter()
    writer.SetFileName(path)
    writer.SetInputData(polydata(points, labels))
    writer.SetDataModeToBinary()  # appended mode does not read back with this ParaView
    assert writer.Write() == 1, path


def write_pvtp(path, points, labels, rng):
    """A partitioned file whose pieces hold random points, some of them empty."""
    owner = rng.integers(0, PIECES - 1, len(labels))  # the last piece stays empty
    base = os.path.splitext(path)[0]
    names = []
    for piece in range(PIECES):
        name = f"{base}_{piece}.vtp"
        write_vtp(name, points[owner == piece], labels[owner == piece])
        names.append(os.path.basename(name))
    with open(path, "w") as out:
        out.write('<?xml version="1.0"?>\n<VTKFile type="PPolyData" version="1.0" byte_order="LittleEndian" '
                  'header_type="UInt64">\n<PPolyData GhostLevel="0">\n'
                  '<PPointData><PDataArray type="Int64" Name="ClusterId"/></PPointData>\n'
                  '<PPoints><PDataArray type="Float64" Name="Points" NumberOfComponents="3"/></PPoints>\n')
        out.writelines(f'<Piece Source="{name}"/>\n' for name in names)
        out.write("</PPolyData>\n</VTKFile>\n")


def oracle(source, target):
    """Nearest cluster both ways by brute force (Max metric), ties to the smaller id."""
    s_ids, t_ids = np.unique(source[1]), np.unique(target[1])
    values = np.empty((len(s_ids), len(t_ids)))
    for i, s in enumerate(s_ids):
        a = source[0][source[1] == s]
        for j, t in enumerate(t_ids):
            d = cdist(a, target[0][target[1] == t])
            values[i, j] = max(d.min(axis=1).mean(), d.min(axis=0).mean())
    s_near = {s: (t_ids[values[i].argmin()], values[i].min()) for i, s in enumerate(s_ids)}
    t_near = {t: (s_ids[values[:, j].argmin()], values[:, j].min()) for j, t in enumerate(t_ids)}
    rows = {}
    for s, (t, v) in s_near.items():
        rows[(s, t)] = [v, 1, 0]
    for t, (s, v) in t_near.items():
        rows.setdefault((s, t), [v, 0, 0])[2] = 1
    return s_near, t_near, rows


def check_table(table, rows, what):
    got = {}
    for r in range(table.GetNumberOfRows()):
        key = (table.GetColumnByName("SourceId").GetValue(r), table.GetColumnByName("TargetId").GetValue(r))
        got[key] = [table.GetColumnByName(c).GetValue(r) for c in ("Distance", "SourceToTarget", "TargetToSource")]
    assert set(got) == set(rows), f"{what}: pairs differ: {sorted(set(got) ^ set(rows))[:5]}"
    for key, (value, s2t, t2s) in rows.items():
        assert np.isclose(got[key][0], value, rtol=1e-9, atol=0), f"{what}: distance of {key}: {got[key][0]} vs {value}"
        assert got[key][1:] == [s2t, t2s], f"{what}: flags of {key}"


def check_points(matching, port, nearest, total, directory, what):
    """Every rank's points, written as pieces, carry their cluster's partner in PairId. Returns how many
    ranks hold points."""
    path = os.path.join(directory, f"{what}_{port}.pvtu")
    SaveData(path, proxy=OutputPort(matching, port), DataMode="Binary")
    seen = holders = 0
    for piece in glob.glob(os.path.join(directory, f"{what}_{port}", "*.vtu")):
        reader = vtkXMLUnstructuredGridReader()
        reader.SetFileName(piece)
        reader.Update()
        grid = reader.GetOutput()
        ids = vtk_to_numpy(grid.GetPointData().GetArray("ClusterId"))
        pair = vtk_to_numpy(grid.GetPointData().GetArray("PairId"))
        for cluster, partner in zip(ids, pair):
            assert partner == nearest[cluster][0], f"{what}: point of cluster {cluster} has PairId {partner}"
        cell_ids = vtk_to_numpy(grid.GetCellData().GetArray("ClusterId"))
        assert len(set(cell_ids)) == len(cell_ids) == len(set(ids)), f"{what}: one cell per local cluster"
        seen += grid.GetNumberOfPoints()
        holders += grid.GetNumberOfPoints() > 0
    assert seen == total, f"{what}: {seen} points written by the ranks, {total} in the cloud"
    return holders


def main():
    plugin, ranks = sys.argv[1], int(sys.argv[2])
    LoadPlugin(plugin, ns=globals())  # defines ChamferClusterMatching
    partitions = sm.vtkProcessModule.GetProcessModule().GetNumberOfLocalPartitions()
    assert partitions == ranks, f"running on {partitions} ranks, expected {ranks}"
    rng = np.random.default_rng(2018)
    source, target = clouds(rng)
    s_near, t_near, rows = oracle(source, target)
    with tempfile.TemporaryDirectory() as directory:
        files = {}
        for name, (points, labels) in (("source", source), ("target", target)):
            write_vtp(os.path.join(directory, f"{name}.vtp"), points, labels)
            write_pvtp(os.path.join(directory, f"{name}.pvtp"), points, labels, rng)
            files[name] = OpenDataFile(os.path.join(directory, f"{name}.vtp"))
            files[name + "_pieces"] = OpenDataFile(os.path.join(directory, f"{name}.pvtp"))
        splits = {
            "one_rank": (files["source"], files["target"]),
            "redistributed": (RedistributeDataSet(Input=files["source"]), RedistributeDataSet(Input=files["target"])),
            "random_pieces": (files["source_pieces"], files["target_pieces"]),
        }
        for what, (a, b) in splits.items():
            matching = ChamferClusterMatching(Source=a, Target=b)
            matching.UpdatePipeline()
            check_table(sm.Fetch(matching, idx=2), rows, what)
            holders = check_points(matching, 0, s_near, len(source[1]), directory, what + "_source")
            check_points(matching, 1, t_near, len(target[1]), directory, what + "_target")
            expected = 1 if what == "one_rank" else ranks
            assert holders == expected, f"{what}: points on {holders} ranks, expected {expected}"
            print(f"{what}: {len(rows)} pairs and every point agree with the oracle on {ranks} ranks")


if __name__ == "__main__":
    main()
