"""The filter's outputs survive saving and reading back with this ParaView.

Usage: pvpython test_vtu_roundtrip.py PLUGIN DATA_DIR

Matches data/seed_left.vtp against seed_right.vtp and against seed_left_next.vtp (read with
ParaView's reader proxies), with a MaxPairDistance that leaves clusters unpaired (NaN distances).
Ports 0 and 1 are saved with SaveData(..., DataMode='Binary') as .vtu and read back with
XMLUnstructuredGridReader: the same points, cells (types and point ids), and point, cell and field
arrays (names, VTK types, components, values bit for bit). Port 2 is saved as CSV (Precision=17)
and read back with the csv module: the same header (multi-component columns as name:0..2) and the
same values, exactly. Exits non-zero on failure.
"""
import csv
import os
import sys
import tempfile

import numpy as np
from paraview.simple import LoadPlugin, OutputPort, SaveData, XMLPolyDataReader, XMLUnstructuredGridReader
from vtk_snapshot import differences, snapshot
from vtkmodules.util.numpy_support import vtk_to_numpy


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def vtk_types(field_data):
    """name -> (VTK data type, components) of every array."""
    arrays = (field_data.GetAbstractArray(i) for i in range(field_data.GetNumberOfArrays()))
    return {a.GetName(): (a.GetDataType(), a.GetNumberOfComponents()) for a in arrays}


def check_vtu(grid, path, what):
    SaveData(path, proxy=grid, DataMode="Binary")
    reader = XMLUnstructuredGridReader(FileName=[path])
    reader.UpdatePipeline()
    back = reader.GetClientSideObject().GetOutputDataObject(0)
    original = grid.GetClientSideObject().GetOutputDataObject(grid.Port)
    check(back.GetNumberOfPoints() == original.GetNumberOfPoints() > 0,
          f"{what}: {back.GetNumberOfPoints()} points read back for {original.GetNumberOfPoints()}")
    check(back.GetNumberOfCells() == original.GetNumberOfCells(),
          f"{what}: {back.GetNumberOfCells()} cells read back for {original.GetNumberOfCells()}")
    for kind in ("GetPointData", "GetCellData", "GetFieldData"):
        types = vtk_types(getattr(back, kind)()), vtk_types(getattr(original, kind)())
        check(types[0] == types[1], f"{what} {kind}: arrays read back as {types[0]}, written {types[1]}")
    diff = differences(snapshot(back), snapshot(original))
    check(diff == [], f"{what}: read back differs in {diff}")


def csv_columns(table):
    """Column name as the CSV writer spells it -> values, from the vtkTable."""
    columns = {}
    for c in range(table.GetNumberOfColumns()):
        column = table.GetColumn(c)
        values = vtk_to_numpy(column).reshape(table.GetNumberOfRows(), -1)
        if column.GetNumberOfComponents() == 1:
            columns[column.GetName()] = values[:, 0]
        else:
            for k in range(column.GetNumberOfComponents()):
                columns[f"{column.GetName()}:{k}"] = values[:, k]
    return columns


def check_csv(pairs, path, what):
    SaveData(path, proxy=pairs, Precision=17)
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    expected = csv_columns(pairs.GetClientSideObject().GetOutputDataObject(pairs.Port))
    check(rows and rows[0] == list(expected), f"{what}: header {rows[:1]} != {list(expected)}")
    body = rows[1:]
    check(len(body) == len(next(iter(expected.values()))) > 0, f"{what}: {len(body)} rows read back")
    for k, (name, values) in enumerate(expected.items()):
        read = np.array([row[k] for row in body], dtype=np.float64 if values.dtype.kind == "f" else np.int64)
        check(np.array_equal(read, values), f"{what}: column {name} read back as {read[:5]}, not {values[:5]}")


def check_pair_of_clouds(data_dir, target_file, directory):
    source = XMLPolyDataReader(FileName=[os.path.join(data_dir, "seed_left.vtp")])
    target = XMLPolyDataReader(FileName=[os.path.join(data_dir, target_file)])
    matching = ChamferClusterMatching(Source=source, Target=target)  # noqa: F821
    matching.UpdatePipeline()
    distances = np.array(matching.GetClientSideObject().GetOutputDataObject(0).GetCellData().GetArray("PairDistance"))
    matching.MaxPairDistance = float(np.median(distances))
    matching.UpdatePipeline()
    pair_ids = np.array(matching.GetClientSideObject().GetOutputDataObject(0).GetPointData().GetArray("PairId"))
    check((pair_ids == -1).any() and (pair_ids >= 0).any(), f"{target_file}: the limit must unpair some clusters")
    stem = os.path.join(directory, os.path.splitext(target_file)[0])
    check_vtu(OutputPort(matching, 0), f"{stem}_source.vtu", f"{target_file} Source")
    check_vtu(OutputPort(matching, 1), f"{stem}_target.vtu", f"{target_file} Target")
    check_csv(OutputPort(matching, 2), f"{stem}_pairs.csv", f"{target_file} Pairs")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    LoadPlugin(sys.argv[1], ns=globals())
    try:
        with tempfile.TemporaryDirectory() as directory:
            for target_file in ("seed_right.vtp", "seed_left_next.vtp"):
                check_pair_of_clouds(sys.argv[2], target_file, directory)
    except Failure as failure:
        print(f"test_vtu_roundtrip: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print("test_vtu_roundtrip: all checks passed")


if __name__ == "__main__":
    main()
