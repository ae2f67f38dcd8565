"""Cluster Tracking's outputs, read in pvpython tests (test_tracking, test_kinect_tracking)."""
from vtkmodules.util.numpy_support import vtk_to_numpy


def outputs_at(tracking, time):
    """The Clusters, Tracks and Events outputs of a ClusterTracking proxy at `time`."""
    tracking.UpdatePipeline(time)
    algorithm = tracking.GetClientSideObject()
    return [algorithm.GetOutputDataObject(port) for port in range(3)]


def events_of(table):
    """The Events table as (step, kind, track, other track) tuples."""
    columns = [table.GetColumnByName(name) for name in ("Step", "Kind", "TrackId", "OtherTrackId")]
    return [(int(columns[0].GetValue(r)), columns[1].GetValue(r), int(columns[2].GetValue(r)),
             int(columns[3].GetValue(r))) for r in range(table.GetNumberOfRows())]


def point_array(data, name):
    return vtk_to_numpy(data.GetPointData().GetArray(name)).copy()
