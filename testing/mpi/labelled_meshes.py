"""Hexahedral meshes whose points carry cluster ids by region, for the MPI tests (split by cells,
their pieces share the points of the faces along each cut)."""
import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkFiltersCore import vtkAppendFilter


def labelled_mesh(rng, dims, shift=0.0, cut=0.0, renumber=1, add=0):
    """A vtkUnstructuredGrid of hexahedra on a grid of dims points, moved by `shift` and jittered (no
    exact ties between clusters), with ClusterId (int64) by 5 x 5 regions of x and y cut at -`cut`,
    times `renumber` plus `add`. Returns (grid, points, labels)."""
    image = vtkImageData()
    image.SetDimensions(*dims)
    append = vtkAppendFilter()
    append.SetInputData(image)
    append.Update()
    grid = append.GetOutput()
    points = vtk_to_numpy(grid.GetPoints().GetData()).astype(np.float64)
    points = points + shift + rng.normal(0, 0.05, points.shape)
    labels = ((points[:, 0] + cut) // 5).astype(np.int64) * 10 + ((points[:, 1] + cut) // 5).astype(np.int64)
    labels = labels * renumber + add
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, deep=1))
    grid.SetPoints(vtk_points)
    array = numpy_to_vtk(labels, deep=1)
    array.SetName("ClusterId")
    grid.GetPointData().AddArray(array)
    return grid, points, labels
