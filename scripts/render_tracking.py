"""Renders docs/tracking.png: Cluster Tracking on the sample series, tracks as lines over the clusters.

    pvpython --force-offscreen-rendering scripts/render_tracking.py build/lib/paraview-plugins/Scipar/Scipar.so [OUT.png]

data/tracking/moving.pvd (16 steps of moving clusters, ids renumbered at every step) -> Cluster
Tracking with its defaults. Shown: the clusters of three steps (0, 7 and 15) as points, and the
Tracks output as lines through the centroids, all coloured by TrackId with one colour per track
(as the plugin's GUI behaviour colours them; pvpython sets the map here itself). A track keeps its
colour from step to step although its cluster ids change.
"""
import colorsys
import os
import sys

from paraview import servermanager
from paraview.simple import (ColorBy, ForceTime, GetActiveCamera, GetColorTransferFunction, LoadPlugin, OutputPort,
                             PVDReader, Render, ResetCamera, SaveScreenshot, Show, Text, CreateView)

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = (0, 7, 15)


def track_colors(count):
    """Distinct colours for this picture's tracks: golden-ratio hues (the GUI uses the plugin's palette)."""
    colors = []
    for i in range(count):
        hue = (i * 0.618033988749895) % 1.0
        colors += list(colorsys.hsv_to_rgb(hue, (0.95, 0.7, 0.85)[i % 3], (0.95, 0.75)[(i // 3) % 2]))
    return colors


def main(plugin, png):
    LoadPlugin(plugin, ns=globals())
    series = PVDReader(FileName=os.path.join(HERE, "..", "data", "tracking", "moving.pvd"))
    tracking = ClusterTracking(Input=series)  # noqa: F821 (defined by the plugin)
    tracking.UpdatePipeline(0.0)
    num_tracks = servermanager.Fetch(tracking, idx=1).GetNumberOfCells()

    lut = GetColorTransferFunction("TrackId")
    lut.InterpretValuesAsCategories = 1
    lut.Annotations = sum(([str(i), f"track {i}"] for i in range(-1, num_tracks)), [])
    lut.IndexedColors = [0.6, 0.6, 0.6] + track_colors(num_tracks)

    view = CreateView("RenderView")
    view.ViewSize = [1600, 1000]
    view.UseColorPaletteForBackground = 0
    view.Background = [1.0, 1.0, 1.0]
    view.OrientationAxesVisibility = 0
    times = list(series.TimestepValues)
    for step in STEPS:
        # Each step shown through its own time-pinned copy of the output.
        shown = ForceTime(Input=OutputPort(tracking, 0), ForcedTime=times[step], IgnorePipelineTime=1)
        display = Show(shown, view)
        display.SetRepresentationType("Points")
        display.PointSize = 7
        display.RenderPointsAsSpheres = 1
        ColorBy(display, ("POINTS", "TrackId"))
        display.LookupTable = lut
    tracks = Show(OutputPort(tracking, 1), view)
    tracks.SetRepresentationType("Wireframe")
    ColorBy(tracks, ("CELLS", "TrackId"))
    tracks.LookupTable = lut
    tracks.LineWidth = 3.0
    tracks.RenderLinesAsTubes = 1

    title = Text(Text="Cluster Tracking on data/tracking/moving.pvd: tracks (lines through the cluster centroids) "
                      "over the clusters of steps 0, 7 and 15")
    title_display = Show(title, view)
    title_display.FontSize = 12
    title_display.Color = [0.1, 0.1, 0.1]
    title_display.WindowLocation = "Upper Left Corner"
    legend = Text(Text="colour: TrackId (the same track keeps its colour while its cluster ids change at every "
                       "step)\nforks: splits (a part starts a new track); a line ending on another: a merge")
    legend_display = Show(legend, view)
    legend_display.FontSize = 9
    legend_display.Color = [0.25, 0.25, 0.25]
    legend_display.WindowLocation = "Lower Left Corner"
    legend_display.Justification = "Left"
    view.CameraPosition = [25 + 60, 25 - 90, 25 + 70]
    view.CameraFocalPoint = [25, 25, 25]
    view.CameraViewUp = [0, 0, 1]
    ResetCamera(view)
    GetActiveCamera().Zoom(1.5)
    Render(view)
    SaveScreenshot(png, view, ImageResolution=[1600, 1000])
    print(f"{num_tracks} tracks, picture in {png}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "docs", "tracking.png"))
