"""Chamfer Cluster Matching under MPI (run with mpiexec -n N pvbatch): the same pairs, distances and
per-point annotations as a brute-force NumPy oracle, whatever the split of the clouds over the ranks.

Usage: mpiexec -n N pvbatch test_mpi.py PLUGIN N

Three splits of point clouds: the whole files read by one reader (rank 0 holds everything, the
others are empty); ParaView's own spatial split (RedistributeDataSet); and a partitioned .pvtp whose
pieces hold random points, so that every cluster is spread over several ranks. And two hexahedral
meshes (one with global point ids), whole on one rank and split by RedistributeDataSet, whose pieces
share the points on their common faces without any ghost array: each point must count once, as in
one process (cluster sizes, distances, and every point annotated on exactly one rank). Each rank
outputs its share of the pairs table: the shares appended in rank order are the whole table, and
PairIndex (on points and links) counts rows of it. PairLabels names every row while the whole
table has at most 4,096 rows, on every rank's piece, and no rank's past it (4,096 and 4,097 pairs of
singletons spread over the pieces). The script runs on rank 0.
"""
import glob
import os
import sys
import tempfile

import numpy as np
from scipy.spatial.distance import cdist
from paraview import servermanager as sm
from paraview.simple import Delete, LoadPlugin, OpenDataFile, OutputPort, RedistributeDataSet, ReductionFilter, SaveData
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import VTK_ID_TYPE, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter, vtkXMLUnstructuredGridReader, vtkXMLUnstructuredGridWriter

from labelled_meshes import labelled_mesh

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


def meshes(rng):
    """Two hexahedral meshes (a grid of points, jittered) with cluster ids by region: the second is
    another grid, shifted, its regions cut elsewhere and renumbered, with global point ids. Returns each as
    (vtkUnstructuredGrid, points, labels)."""
    result = []
    for dims, shift, cut, renumber in (((20, 20, 6), 0.0, 0.0, 1), ((19, 21, 5), 0.6, 1.5, 7)):
        grid, points, labels = labelled_mesh(rng, dims, shift, cut, renumber)
        if renumber != 1:
            ids = numpy_to_vtk(np.arange(len(labels), dtype=np.int64) * 2 + 5, deep=1, array_type=VTK_ID_TYPE)
            ids.SetName("GlobalPointIds")
            grid.GetPointData().SetGlobalIds(ids)
        result.append((grid, points, labels))
    return result


def write_vtu(path, grid):
    writer = vtkXMLUnstructuredGridWriter()
    writer.SetFileName(path)
    writer.SetInputData(grid)
    writer.SetDataModeToBinary()
    assert writer.Write() == 1, path


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


def fetch_table(matching):
    """The whole pairs table: every rank's rows in rank order (Fetch alone brings rank 0's only)."""
    reduction = ReductionFilter(Input=OutputPort(matching, 2))
    reduction.PostGatherHelperName = "vtkPVMergeTables"
    table = sm.Fetch(reduction)
    Delete(reduction)
    return table


def check_table(table, rows, source, target, what):
    """The table holds the oracle's pairs, each once. Returns its (source, target) pairs in row order."""
    got, order = {}, []
    columns = ("Distance", "SourceToTarget", "TargetToSource", "SourcePoints", "TargetPoints")
    for r in range(table.GetNumberOfRows()):
        key = (table.GetColumnByName("SourceId").GetValue(r), table.GetColumnByName("TargetId").GetValue(r))
        got[key] = [table.GetColumnByName(c).GetValue(r) for c in columns]
        order.append(key)
    assert len(order) == len(got), f"{what}: a pair appears twice"
    assert set(got) == set(rows), f"{what}: pairs differ: {sorted(set(got) ^ set(rows))[:5]}"
    for key, (value, s2t, t2s) in rows.items():
        assert np.isclose(got[key][0], value, rtol=1e-9, atol=0), f"{what}: distance of {key}: {got[key][0]} vs {value}"
        assert got[key][1:3] == [s2t, t2s], f"{what}: flags of {key}"
        sizes = [int(np.sum(source[1] == key[0])), int(np.sum(target[1] == key[1]))]
        assert got[key][3:] == sizes, f"{what}: cluster sizes of {key}: {got[key][3:]}, expected {sizes}"
    return order


def check_labels(output, order, what):
    """PairLabels names every row of the whole table, in order, whichever rank's piece carries it."""
    labels = output.GetFieldData().GetAbstractArray("PairLabels")
    assert labels is not None and labels.GetNumberOfValues() == 1, f"{what}: no PairLabels"
    expected = "".join(f"{s} -> {t}\n" for s, t in order)
    assert labels.GetValue(0) == expected, f"{what}: PairLabels {labels.GetValue(0)[:60]!r}..., expected {expected[:60]!r}..."


def check_label_limit(directory, rng):
    """n singleton pairs (i, 10,000 + i) in random pieces: the whole table's labels on every rank's
    piece up to 4,096 rows (the GUI's limit), on none past it (ParaView merges every rank's field data
    information: each rank's labels show there)."""
    for n in (4096, 4097):
        x = 4.0 * np.arange(n)
        clouds = {"source": (np.column_stack([x, np.zeros(n), np.zeros(n)]), np.arange(n, dtype=np.int64)),
                  "target": (np.column_stack([x, np.full(n, 0.5), np.zeros(n)]), 10_000 + np.arange(n, dtype=np.int64))}
        readers = []
        for name, (points, labels) in clouds.items():
            path = os.path.join(directory, f"singletons_{n}_{name}.pvtp")
            write_pvtp(path, points, labels, rng)
            readers.append(OpenDataFile(path))
        matching = ChamferClusterMatching(Source=readers[0], Target=readers[1])  # noqa: F821
        matching.UpdatePipeline()
        table = fetch_table(matching)
        order = list(zip(vtk_to_numpy(table.GetColumnByName("SourceId")).tolist(),
                         vtk_to_numpy(table.GetColumnByName("TargetId")).tolist()))
        assert sorted(order) == [(i, 10_000 + i) for i in range(n)], f"{n} pairs: the table is not the n pairs"
        for port in range(4):
            info = OutputPort(matching, port).GetDataInformation().GetFieldDataInformation()
            carried = info.GetArrayInformation("PairLabels")
            if n <= 4096:
                values = [carried.GetStringValue(v) for v in range(carried.GetNumberOfStringValues())]
                expected = "".join(f"{s} -> {t}\n" for s, t in order)
                assert values and all(v == expected for v in values), f"{n} pairs, port {port}: PairLabels wrong"
            else:
                assert carried is None, f"{n} pairs, port {port}: PairLabels carried past 4,096 rows"
        if n <= 4096:
            check_labels(sm.Fetch(matching, idx=3), order, f"{n} singleton pairs")
        Delete(matching)
        print(f"{n} singleton pairs: PairLabels {'on every piece' if n <= 4096 else 'on none'} on every rank")


def check_links(links, order, what):
    """One link per row, PairIndex its row in the whole table."""
    cells = links.GetCellData()
    index = vtk_to_numpy(cells.GetArray("PairIndex"))
    assert sorted(index.tolist()) == list(range(len(order))), f"{what}: link PairIndex {sorted(index.tolist())[:8]}"
    for i, row in enumerate(index):
        pair = (cells.GetArray("SourceId").GetValue(i), cells.GetArray("TargetId").GetValue(i))
        assert pair == order[row], f"{what}: link {i} is {pair}, row {row} is {order[row]}"


def check_points(matching, port, nearest, cloud, directory, order, what, shared=False):
    """Every rank's points, written as pieces, carry their cluster's partner in PairId and its row of the
    whole table in PairIndex, and together they are the cloud's points, each once. With `shared`, pieces may also hold copies of another
    piece's points (a split mesh): exactly one copy of each point takes part, the others have PairId
    -1 and no cell. Returns how many ranks hold points."""
    path = os.path.join(directory, f"{what}_{port}.pvtu")
    SaveData(path, proxy=OutputPort(matching, port), DataMode="Binary")
    seen = holders = 0
    used = []
    for piece in glob.glob(os.path.join(directory, f"{what}_{port}", "*.vtu")):
        reader = vtkXMLUnstructuredGridReader()
        reader.SetFileName(piece)
        reader.Update()
        grid = reader.GetOutput()
        ids = vtk_to_numpy(grid.GetPointData().GetArray("ClusterId"))
        pair = vtk_to_numpy(grid.GetPointData().GetArray("PairId"))
        index = vtk_to_numpy(grid.GetPointData().GetArray("PairIndex"))
        taking_part = pair != -1 if shared else np.ones(len(pair), dtype=bool)
        for cluster, partner, row in zip(ids[taking_part], pair[taking_part], index[taking_part]):
            assert partner == nearest[cluster][0], f"{what}: point of cluster {cluster} has PairId {partner}"
            expected = (cluster, partner) if port == 0 else (partner, cluster)
            assert order[row] == expected, f"{what}: point of cluster {cluster} has PairIndex {row}: {order[row]}"
        cell_ids = vtk_to_numpy(grid.GetCellData().GetArray("ClusterId"))
        assert len(set(cell_ids)) == len(cell_ids) == len(set(ids[taking_part])), f"{what}: one cell per local cluster"
        in_cells = sum(grid.GetCell(c).GetNumberOfPoints() for c in range(grid.GetNumberOfCells()))
        assert in_cells == taking_part.sum(), f"{what}: {in_cells} points in cells, {taking_part.sum()} taking part"
        used.append(vtk_to_numpy(grid.GetPoints().GetData())[taking_part])
        seen += grid.GetNumberOfPoints()
        holders += grid.GetNumberOfPoints() > 0
    used = np.concatenate(used)
    expected = cloud[0][np.lexsort(cloud[0].T)]
    assert len(used) == len(expected) and np.array_equal(used[np.lexsort(used.T)], expected), \
        f"{what}: {len(used)} points take part over the ranks, the cloud has {len(expected)} (each once)"
    assert seen >= len(expected) if shared else seen == len(expected), f"{what}: {seen} points written"
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
            matching = ChamferClusterMatching(Source=a, Target=b, SkipNoise=0)  # -1 is a region id here
            matching.UpdatePipeline()
            order = check_table(fetch_table(matching), rows, source, target, what)
            check_links(sm.Fetch(matching, idx=3), order, what)
            check_labels(sm.Fetch(matching, idx=3), order, what)
            holders = check_points(matching, 0, s_near, source, directory, order, what + "_source")
            check_points(matching, 1, t_near, target, directory, order, what + "_target")
            expected = 1 if what == "one_rank" else ranks
            assert holders == expected, f"{what}: points on {holders} ranks, expected {expected}"
            print(f"{what}: {len(rows)} pairs and every point agree with the oracle on {ranks} ranks")

        # Split meshes: pieces share the points of their common faces, with no ghost array. The
        # source's shared points are found by position, the target's by its global point ids.
        mesh_clouds, mesh_files = [], []
        for name, (grid, points, labels) in zip(("mesh_source", "mesh_target"), meshes(rng)):
            write_vtu(os.path.join(directory, f"{name}.vtu"), grid)
            mesh_files.append(OpenDataFile(os.path.join(directory, f"{name}.vtu")))
            mesh_clouds.append((points, labels))
        m_s_near, m_t_near, m_rows = oracle(*mesh_clouds)
        for what, (a, b) in (("mesh_one_rank", mesh_files),
                             ("mesh_redistributed", [RedistributeDataSet(Input=f) for f in mesh_files])):
            matching = ChamferClusterMatching(Source=a, Target=b, SkipNoise=0)  # -1 is a region id here
            matching.UpdatePipeline()
            order = check_table(fetch_table(matching), m_rows, *mesh_clouds, what)
            check_links(sm.Fetch(matching, idx=3), order, what)
            holders = check_points(matching, 0, m_s_near, mesh_clouds[0], directory, order, what + "_source",
                                   shared=True)
            check_points(matching, 1, m_t_near, mesh_clouds[1], directory, order, what + "_target", shared=True)
            expected = 1 if what == "mesh_one_rank" else ranks
            assert holders == expected, f"{what}: points on {holders} ranks, expected {expected}"
            print(f"{what}: {len(m_rows)} pairs, cluster sizes and every point agree with one process on {ranks} ranks")
        check_label_limit(directory, rng)


if __name__ == "__main__":
    main()
