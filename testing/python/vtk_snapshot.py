"""NumPy copies of what a VTK data object holds, so that tests can compare outputs and inputs.

snapshot(data) -> dict with, where the object has them: "points" (n x 3), "cell_types",
"cell_points" (one array of point ids per cell), "point_data", "cell_data", "columns" (of a
vtkTable) and "field" (each a dict name -> NumPy array, or list of str for string arrays).
"""
import numpy as np
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkIdList, vtkStringArray


def array_values(array):
    if isinstance(array, vtkStringArray):
        return [array.GetValue(i) for i in range(array.GetNumberOfValues())]
    return vtk_to_numpy(array).copy()


def arrays(field_data):
    """name -> values of every array of a vtkFieldData (point data, cell data, table rows, ...)."""
    result = {}
    for i in range(field_data.GetNumberOfArrays()):
        array = field_data.GetAbstractArray(i)
        result[array.GetName()] = array_values(array)
    return result


def snapshot(data):
    result = {"field": arrays(data.GetFieldData())}
    if data.IsA("vtkTable"):
        result["columns"] = arrays(data.GetRowData())
        return result
    result["points"] = vtk_to_numpy(data.GetPoints().GetData()).copy() if data.GetPoints() else np.zeros((0, 3))
    result["point_data"] = arrays(data.GetPointData())
    result["cell_data"] = arrays(data.GetCellData())
    ids = vtkIdList()
    result["cell_types"] = np.array([data.GetCellType(c) for c in range(data.GetNumberOfCells())], dtype=int)
    result["cell_points"] = []
    for c in range(data.GetNumberOfCells()):
        data.GetCellPoints(c, ids)
        result["cell_points"].append(np.array([ids.GetId(k) for k in range(ids.GetNumberOfIds())], dtype=np.int64))
    return result


def identical(a, b):
    """Bit-for-bit equality (NaN equals NaN, 0.0 differs from -0.0), including the NumPy type."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and a.tobytes() == b.tobytes())
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    return a == b


def differences(a, b, path=""):
    """Where two snapshots (or parts of them) are not identical, as a list of paths."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}/{k}")]
    return [] if identical(a, b) else [path or "/"]
