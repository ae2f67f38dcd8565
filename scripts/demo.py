"""Matches the clusters of two point clouds with the Scipar plugin and writes the results.

Run with pvpython (rendering needs a display: use xvfb-run on a headless machine):
    pvpython scripts/demo.py --plugin build/lib/paraview-plugins/Scipar/Scipar.so \
        --source data/seed_left.vtp --target data/seed_left_next.vtp --out out

Writes OUT/source.vtu and OUT/target.vtu (inline binary VTK XML: the appended mode does not read
back with this ParaView), OUT/pairs.csv and OUT/matching.png, and prints a summary.
"""
import argparse
import os

from paraview.simple import (ChamferClusterMatching, ColorBy, CreateView, GetColorTransferFunction,
                             LoadPlugin, OpenDataFile, OutputPort, Render, ResetCamera, SaveData,
                             SaveScreenshot, Show, servermanager)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True, help="path of Scipar.so")
    parser.add_argument("--source", required=True, help="first cloud (.vtp, .vtu, ...) with a ClusterId point array")
    parser.add_argument("--target", required=True, help="second cloud, same form")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--metric", default="Max", choices=["Max", "Sum", "Mean", "Hausdorff"])
    return parser.parse_args()


def render(matching, path):
    """Source and target side by side, both coloured by PairIndex: matched clusters share a colour."""
    view = CreateView("RenderView")
    view.ViewSize = [1200, 600]
    view.OrientationAxesVisibility = 0
    view.Background = [1, 1, 1]
    bounds = servermanager.Fetch(matching, 0).GetBounds()
    gap = 1.2 * (bounds[1] - bounds[0])
    for port, offset in ((0, 0.0), (1, gap)):
        display = Show(OutputPort(matching, port), view)
        display.SetRepresentationType("Points")
        display.PointSize = 4
        display.Position = [offset, 0, 0]
        ColorBy(display, ("POINTS", "PairIndex"))
    lut = GetColorTransferFunction("PairIndex")
    lut.ApplyPreset("Rainbow Uniform", True)
    ResetCamera(view)
    Render(view)
    SaveScreenshot(path, view, ImageResolution=[1200, 600])


def main():
    args = parse_arguments()
    os.makedirs(args.out, exist_ok=True)
    LoadPlugin(args.plugin, ns=globals())
    source = OpenDataFile(args.source)
    target = OpenDataFile(args.target)
    matching = ChamferClusterMatching(Source=source, Target=target, Metric=args.metric)
    matching.UpdatePipeline()

    SaveData(os.path.join(args.out, "source.vtu"), proxy=OutputPort(matching, 0), DataMode="Binary")
    SaveData(os.path.join(args.out, "target.vtu"), proxy=OutputPort(matching, 1), DataMode="Binary")
    SaveData(os.path.join(args.out, "pairs.csv"), proxy=OutputPort(matching, 2))
    render(matching, os.path.join(args.out, "matching.png"))

    pairs = servermanager.Fetch(matching, 2)
    source_grid = servermanager.Fetch(matching, 0)
    target_grid = servermanager.Fetch(matching, 1)
    mutual = pairs.GetColumnByName("Mutual")
    fields = pairs.GetFieldData()
    wall = fields.GetArray("WallTimeSeconds").GetValue(0)
    cpu = fields.GetArray("CPUTimeSeconds").GetValue(0)
    print(f"source: {source_grid.GetNumberOfPoints()} points in {source_grid.GetNumberOfCells()} clusters")
    print(f"target: {target_grid.GetNumberOfPoints()} points in {target_grid.GetNumberOfCells()} clusters")
    print(f"pairs: {pairs.GetNumberOfRows()} rows, "
          f"{sum(mutual.GetValue(i) for i in range(pairs.GetNumberOfRows()))} mutual")
    print(f"metric {args.metric}: wall {wall * 1e3:.2f} ms, CPU {cpu * 1e3:.2f} ms, "
          f"{fields.GetArray('NumberOfThreads').GetValue(0)} threads")
    print(f"wrote {args.out}/source.vtu, target.vtu, pairs.csv, matching.png")


if __name__ == "__main__":
    main()
