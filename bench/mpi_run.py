"""The benchmark's MPI runs of the plugin.

    pvpython mpi_run.py write WORKLOAD DIR                   # the clouds as two-piece .pvtp files
    mpiexec -n N pvbatch mpi_run.py match PLUGIN DIR REPEATS  # prints the median seconds of the filter
    python3 mpi_run.py pieces WORKLOAD DIR P                 # P raw pieces per cloud, for scipar_mpi_bench

Pieces are split at the median x (P pieces: at the x quantiles), as a spatial partitioner would; with
N ranks each reads its pieces. Only the filter's update is timed, after the readers have run.
"""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def write(name, directory):
    import clouds
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter
    a, a_ids, b, b_ids = clouds.workload(name)
    for cloud, (points, ids) in (("source", (a, a_ids)), ("target", (b, b_ids))):
        halves = points[:, 0] <= np.median(points[:, 0])
        pieces = []
        for piece, mask in enumerate((halves, ~halves)):
            data = vtkPolyData()
            vtk_points = vtkPoints()
            vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points[mask]), deep=1))
            data.SetPoints(vtk_points)
            labels = numpy_to_vtk(np.ascontiguousarray(ids[mask]), deep=1)
            labels.SetName("ClusterId")
            data.GetPointData().AddArray(labels)
            writer = vtkXMLPolyDataWriter()
            pieces.append(f"{cloud}_{piece}.vtp")
            writer.SetFileName(os.path.join(directory, pieces[-1]))
            writer.SetInputData(data)
            writer.SetDataModeToBinary()  # appended mode does not read back with this ParaView
            writer.Write()
        with open(os.path.join(directory, f"{cloud}.pvtp"), "w") as out:
            out.write('<?xml version="1.0"?>\n<VTKFile type="PPolyData" version="1.0" byte_order="LittleEndian" '
                      'header_type="UInt64">\n<PPolyData GhostLevel="0">\n'
                      '<PPointData><PDataArray type="Int64" Name="ClusterId"/></PPointData>\n'
                      '<PPoints><PDataArray type="Float64" Name="Points" NumberOfComponents="3"/></PPoints>\n')
            out.writelines(f'<Piece Source="{piece}"/>\n' for piece in pieces)
            out.write("</PPolyData>\n</VTKFile>\n")


def pieces(name, directory, count):
    """Raw pieces for scipar_mpi_bench: DIR/source_<r>.bin and target_<r>.bin, an int64 n, n x y z
    doubles, n int64 labels; piece r holds the points between the x quantiles r / P and (r + 1) / P."""
    import clouds
    a, a_ids, b, b_ids = clouds.workload(name)
    for cloud, (points, ids) in (("source", (a, a_ids)), ("target", (b, b_ids))):
        cuts = np.quantile(points[:, 0], np.linspace(0, 1, count + 1)[1:-1])
        piece = np.searchsorted(cuts, points[:, 0], side="left")
        for r in range(count):
            mask = piece == r
            with open(os.path.join(directory, f"{cloud}_{r}.bin"), "wb") as out:
                out.write(np.int64(mask.sum()).tobytes())
                out.write(np.ascontiguousarray(points[mask], dtype=np.float64).tobytes())
                out.write(np.ascontiguousarray(ids[mask], dtype=np.int64).tobytes())


def match(plugin, directory, repeats):
    from paraview.simple import Delete, LoadPlugin, OpenDataFile
    LoadPlugin(plugin, ns=globals())
    source = OpenDataFile(os.path.join(directory, "source.pvtp"))
    target = OpenDataFile(os.path.join(directory, "target.pvtp"))
    source.UpdatePipeline()
    target.UpdatePipeline()
    times = []
    for _ in range(repeats):
        matching = ChamferClusterMatching(Source=source, Target=target, NumberOfThreads=1)  # noqa: F821
        start = time.perf_counter()
        matching.UpdatePipeline()
        times.append(time.perf_counter() - start)
        Delete(matching)
    print(statistics.median(times))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "pieces":
        pieces(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        match(sys.argv[2], sys.argv[3], int(sys.argv[4]))
