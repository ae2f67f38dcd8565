"""Run inside the ParaView GUI: paraview --script=gui_state.py --exit (under Xvfb).

Loads the plugin, then the saved state matching_state.pvsm the way a colleague would (File > Load
State with "Search files under specified directory"): its data files, saved as
/path/to/scipar/data/..., are looked up in SCIPAR_DATA. Then screenshots the state's layout (two render
views) and reports what the state's pipelines compute, for run_gui_test.py to check.

Environment: SCIPAR_PLUGIN, SCIPAR_DATA, SCIPAR_STATE, SCIPAR_GUI_DIR, SCIPAR_GUI_OUT (as in
gui_pipeline.py).
"""
import json
import os
import sys
import traceback

out = os.environ["SCIPAR_GUI_OUT"]
sys.path.insert(0, os.environ["SCIPAR_GUI_DIR"])
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
report = {"script": "gui_state", "finished": False}
try:
    import numpy as np
    from paraview import servermanager
    from paraview.simple import (FindSource, GetColorTransferFunction, GetLayout, GetSources, GetViews,
                                 LoadPlugin, LoadState, Render, SaveScreenshot)
    from vtkmodules.util.numpy_support import vtk_to_numpy

    import scipar_display

    report["executable"] = os.path.realpath("/proc/self/exe")
    LoadPlugin(os.environ["SCIPAR_PLUGIN"], ns=globals())
    LoadState(os.environ["SCIPAR_STATE"], data_directory=os.environ["SCIPAR_DATA"],
              restrict_to_data_directory=True)

    report["reader_files"] = [proxy.FileName[0] for (name, _), proxy in GetSources().items()
                              if name.endswith(".vtp")]

    def summary(name, truth_array):
        matching = FindSource(name)
        if matching is None:
            raise RuntimeError(f"the state has no source named {name!r}")
        source = servermanager.Fetch(matching, idx=0)
        target = servermanager.Fetch(matching, idx=1)
        pairs = servermanager.Fetch(matching, idx=2)
        pair_id = vtk_to_numpy(target.GetPointData().GetArray("PairId"))
        truth = vtk_to_numpy(target.GetPointData().GetArray(truth_array))
        mutual = vtk_to_numpy(pairs.GetColumnByName("Mutual"))
        return {"source_points": source.GetNumberOfPoints(), "target_points": target.GetNumberOfPoints(),
                "pairs": pairs.GetNumberOfRows(), "mutual": int(mutual.sum()),
                "metric": pairs.GetFieldData().GetAbstractArray("ChamferMetric").GetValue(0),
                "target_points_matched_right": float(np.mean(pair_id == truth))}

    report["seed"] = summary("Seed matching", "TrueClusterId")
    report["generated"] = summary("Generated matching", "TrueClusterId")
    report["views"] = len(GetViews())
    links = servermanager.Fetch(FindSource("Seed matching"), idx=3).GetNumberOfLines() + \
        servermanager.Fetch(FindSource("Generated matching"), idx=3).GetNumberOfLines()

    # The colours to look for are the state's own categorical colour map (minus "unpaired").
    lut = GetColorTransferFunction("PairIndex")
    indexed = list(lut.IndexedColors)
    colors = [indexed[i:i + 3] for i in range(0, len(indexed), 3)]
    report["categorical"] = bool(lut.InterpretValuesAsCategories)
    layout = GetLayout()
    for view in GetViews():
        Render(view)
    png = os.path.join(out, "gui_state.png")
    SaveScreenshot(png, layout, ImageResolution=[1280, 800])
    visible_pairs = max(report["seed"]["pairs"], report["generated"]["pairs"])
    report.update({"screenshot": png, "palette": colors[1:1 + visible_pairs], "links": links,
                   "link_color": scipar_display.LINK_COLOR, "background": scipar_display.BACKGROUND})
    report["finished"] = True
except Exception:
    report["error"] = traceback.format_exc()
    print(report["error"])
with open(os.path.join(out, "gui_state.json"), "w") as handle:
    json.dump(report, handle, indent=1, sort_keys=True)
