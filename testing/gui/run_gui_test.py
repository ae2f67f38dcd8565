"""Runs a script in the real ParaView GUI under Xvfb and checks what it reports and the screenshot.

Usage: /usr/bin/python3 run_gui_test.py MODE PLUGIN DATA_DIR OUT_DIR [README_PNG | SCIPAR_MATCH]
MODE:
  menus     gui_menus.xml: the GUI's own event playback (--test-script) clicks Sources > Scipar >
            Gaussian Clusters, Filters > Scipar > Next Frame and Chamfer Cluster Matching (with its
            input dialog), types property values, and saves the state, which is then checked
  pipeline  gui_pipeline.py: Gaussian Clusters -> Next Frame -> Chamfer Cluster Matching, built and
            shown in the GUI; README_PNG, if given, also gets the README picture
  cli_files gui_cli_files.xml: the files SCIPAR_MATCH (the scipar-match command) writes for two
            data/ clouds opened in the GUI by the event playback (File > Open, Apply), then the state
            it saved checked: the pairs' colours and names, no unreadable legend left visible
  kinect    gui_kinect.py: two Kinect frames of data/kinect -> Euclidean Clusters -> Chamfer Cluster
            Matching, shown as the GUI does by default; README_PNG, if given, gets the picture
  state     gui_state.py: the saved state matching_state.pvsm (the plugin's proxies on data/ files
            and on generated clusters), loaded in the GUI with its data files relocated to DATA_DIR

The GUI runs as `xvfb-run -n N -s "-screen 0 1280x800x24" paraview --dr --script=SCRIPT --exit` (N a free
server number drawn at random), on its own virtual display even when DISPLAY is set. The GUI does not fail on a Python error in
--script, so the script writes a JSON report (with the traceback, if any) that this driver reads.
The screenshot is checked with NumPy: its size, a white background with enough drawn on it, one
distinct colour per pair of clusters (categorical PairIndex colours), and the black link lines.
Exits non-zero with a message on failure.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

from private_display import run_on_private_display

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def read_png(path):
    try:
        from PIL import Image
        return np.asarray(Image.open(path).convert("RGB")).astype(np.int32)
    except ImportError:  # matplotlib reads PNG without PIL
        import matplotlib.image
        image = matplotlib.image.imread(path)
        return np.round(image[..., :3] * 255).astype(np.int32)


def run_gui(script, environment, out):
    """paraview --script under its own Xvfb; returns the script's report."""
    for tool in ("xvfb-run", "paraview"):
        check(shutil.which(tool), f"{tool} is not installed (Debian packages xvfb xauth paraview)")
    report_path = os.path.join(out, os.path.splitext(os.path.basename(script))[0] + ".json")
    if os.path.exists(report_path):
        os.remove(report_path)
    env = dict(os.environ, SCIPAR_GUI_DIR=HERE, SCIPAR_GUI_OUT=out, **environment)
    command = ["paraview", "--dr", f"--script={script}", "--exit"]
    print("running on a display of its own:", " ".join(command), flush=True)
    result = run_on_private_display(command, env, timeout=600)
    log = result.stdout + result.stderr
    with open(os.path.join(out, os.path.basename(script) + ".log"), "w") as handle:
        handle.write(log)
    check(result.returncode == 0, f"paraview exited with status {result.returncode}:\n{log}")
    check(os.path.exists(report_path), f"the GUI script wrote no report {report_path}; GUI output:\n{log}")
    with open(report_path) as handle:
        report = json.load(handle)
    check(report.get("finished") and "error" not in report,
          f"the GUI script failed:\n{report.get('error', 'no error recorded')}\nGUI output:\n{log}")
    check("Traceback" not in log and "ERR|" not in log, f"errors in the GUI output:\n{log}")
    check(os.path.basename(report.get("executable", "")) == "paraview",
          f"the script ran in {report.get('executable')}, not the paraview GUI")
    return report


def check_picture(path, report, size=(1280, 800), min_colors=None):
    """White background, enough drawn, the pairs' categorical colours and the black links."""
    check(os.path.exists(path), f"no screenshot {path}")
    image = read_png(path)
    check(image.shape[:2] == (size[1], size[0]), f"{path}: {image.shape[1]}x{image.shape[0]}, expected {size}")
    pixels = image.reshape(-1, 3)
    background = np.round(np.array(report["background"]) * 255).astype(np.int32)
    drawn = np.any(pixels != background, axis=1)
    check(np.mean(np.all(pixels == background, axis=1)) > 0.5, f"{path}: the background is not mostly white")
    check(drawn.mean() > 0.005, f"{path}: almost blank ({drawn.mean():.4%} of the pixels drawn)")

    # Points are drawn unlit, in exactly their colour map colour: count the pairs' colours seen.
    palette = np.round(np.array(report["palette"]) * 255).astype(np.int32)
    seen = [int(np.sum(np.all(pixels == color, axis=1))) for color in palette]
    visible = sum(count >= 10 for count in seen)
    needed = min_colors if min_colors is not None else max(2, int(0.8 * len(palette)))
    check(visible >= needed, f"{path}: {visible} of the {len(palette)} pair colours visible, expected {needed}; "
                             f"pixels per colour: {seen}")
    distinct = len(np.unique(pixels[drawn], axis=0))
    check(distinct >= needed, f"{path}: only {distinct} distinct colours drawn")

    link = np.round(np.array(report["link_color"]) * 255).astype(np.int32)
    # No pair colour is near black (their largest channel is >= 191), so these pixels are links.
    link_pixels = int(np.sum(np.all(np.abs(pixels - link) <= 40, axis=1)))
    check(report["links"] > 0 and link_pixels >= 50,
          f"{path}: {link_pixels} pixels of the link colour for {report['links']} links")
    return {"visible_pair_colors": visible, "distinct_colors": distinct, "link_pixels": link_pixels,
            "drawn_fraction": round(float(drawn.mean()), 4)}


def lab(rgb):
    """CIELAB (D65) of sRGB colours in [0, 1], rows of an array."""
    rgb = np.asarray(rgb, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def check_palette(palette):
    """Pairs' colours told apart at a glance: any two of the first 20 at least 30 apart in CIELAB
    (CIE76; about 2.3 is a just-noticeable difference, and the hues of the old palette's pairs 1 and
    14 were 22 apart), and every one far from white, black and the grey of clusters without a pair."""
    colors = lab(palette)
    first = colors[:20]
    gaps = np.linalg.norm(first[:, None] - first[None], axis=2) + np.eye(len(first)) * 1e9
    i, j = np.unravel_index(np.argmin(gaps), gaps.shape)
    check(gaps.min() >= 30, f"pair colours {i} and {j} are only {gaps.min():.1f} apart in CIELAB")
    others = lab([[1, 1, 1], [0, 0, 0], [0.6, 0.6, 0.6]])
    near = np.linalg.norm(colors[:, None] - others[None], axis=2).min()
    check(near >= 30, f"a pair colour is only {near:.1f} from white, black or grey in CIELAB")
    return round(float(gaps.min()), 1)


def check_script_look(plugin, report, out):
    """A replayed trace of the GUI and the plugin's Python helper give the GUI's look (pvpython)."""
    replay = os.path.join(out, "replay_look.json")
    if os.path.exists(replay):
        os.remove(replay)
    # No display: nothing is rendered (views and displays are made without one), and so no X server
    # can refuse the connection under load.
    command = ["pvpython", "--force-offscreen-rendering", os.path.join(HERE, "replay_look.py"), plugin,
               report["trace"], replay]
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    log = result.stdout + result.stderr
    check(result.returncode == 0 and os.path.exists(replay), f"{' '.join(command)} failed:\n{log}")
    with open(replay) as handle:
        scripts = json.load(handle)
    check(scripts["finished"], f"replay_look.py failed:\n{scripts.get('error')}\n{log}")
    check("ERR|" not in log and "Traceback" not in log, f"errors replaying the look:\n{log}")
    gui = {"categorical": report["lut_categorical"], "annotations": report["lut_annotations"],
           "colors": report["lut_colors"], "displays": report["displays"]}
    for name in ("trace", "helper"):
        got = {key: scripts[name][key] for key in gui}
        for key in gui:
            check(got[key] == gui[key], f"the {name} gives {key} {got[key]}, the GUI {gui[key]}")
    return scripts["helper"]["palette"]


def test_pipeline(plugin, data, out, readme):
    environment = {"SCIPAR_PLUGIN": plugin}
    if readme:
        environment["SCIPAR_README_PNG"] = readme
    report = run_gui(os.path.join(HERE, "gui_pipeline.py"), environment, out)
    with open(os.path.realpath(plugin), "rb") as handle:
        library = handle.read()
    for name in ("GaussianClusters", "NextFrame", "EuclideanClusters", "ChamferClusterMatching", "MovingClusters",
                 "ClusterTracking"):
        definition = report[f"definition_{name}"]
        check(definition["defined"], f"{name} is not defined in the GUI after loading the plugin")
        check(definition["category"] == "Scipar", f"{name} is not in the Scipar menu: {definition}")
        check(not definition["undocumented"], f"{name}: properties without documentation: {definition['undocumented']}")
        # Its icon, a file of the Qt resources compiled into the plugin (their names are UTF-16).
        icon = definition["icon"] or ""
        check(icon.startswith(":/Scipar/") and os.path.basename(icon).encode("utf-16-be") in library,
              f"{name}: menu icon {icon!r} is not a resource of the plugin")
    groups = report["definition_ChamferClusterMatching"]["groups"]
    check(groups.get("Cluster Ids", [])[:2] == ["SourceClusterArray", "TargetClusterArray"] and
          "Metric" in groups.get("Matching", []), f"Chamfer Cluster Matching's property groups: {groups}")
    check(report["num_pairs"] >= report["source_clusters"] - 1 and report["links"] == report["num_pairs"],
          f"pairs {report['num_pairs']}, links {report['links']}, clusters {report['source_clusters']}")
    check(report["target_points"] < report["source_points"], "Next Frame dropped no points")
    check(report["target_points_matched_right"] >= 0.95,
          f"only {report['target_points_matched_right']:.1%} of the moved points matched their true cluster")
    # The plugin's default colour map, not set by the script: categorical, one colour per pair.
    check(report["lut_categorical"] == 1, "PairIndex is not coloured as categories by default")
    check(report["lut_values"] == [str(i) for i in range(-1, report["num_pairs"])],
          f"the PairIndex colour map annotates {report['lut_values']}, not -1 and every pair of "
          f"{report['num_pairs']}")
    colors = [tuple(np.round(np.array(c) * 255).astype(int)) for c in report["palette"]]
    check(len(set(colors)) == len(colors), "two pairs share a colour in the default colour map")
    check(report["track_lut_categorical"] == 1 and report["num_tracks"] > 0, "TrackId is not coloured as categories by default")
    check(report["track_lut_values"] == [str(i) for i in range(-1, report["num_tracks"])],
          f"the TrackId colour map annotates {report['track_lut_values']}, not -1 and every track of {report['num_tracks']}")
    # Legend entries name the pairs by their clusters' ids ("3 -> 107"), from the pairs table.
    labels = report["lut_annotations"][3::2]
    check(labels == [f"{s} -> {t}" for s, t in report["pairs"]],
          f"the legend's labels {labels[:4]}... are not the pairs' ids {report['pairs'][:4]}...")
    # The pairs spreadsheet (ParaView orders its columns by name) without the centroid columns, so
    # that SourceId and TargetId are among the first columns on screen.
    columns = report["spreadsheet_columns"]
    check(not any("Centroid" in c for c in columns) and {"SourceId", "TargetId"} <= set(columns[:7]),
          f"the pairs spreadsheet shows the columns {columns}")
    palette = check_script_look(plugin, report, out)
    check(np.allclose(report["palette"], palette[:len(report["palette"])]), "the GUI's colours are not the palette's")
    closest = check_palette(palette)
    # The default look: the two clouds drawn differently (the source's points larger and faded, so
    # the target's show through them), the links in one colour (no pair's) and thick.
    source, target, links = (report["displays"][name] for name in ("source", "target", "links"))
    check(source["representation"] == target["representation"] == "'Points'" and
          source["color_array"] == target["color_array"] == "PairIndex",
          f"the clouds are not shown as points coloured by PairIndex: {source}, {target}")
    check(source["point_size"] >= 1.5 * target["point_size"] and source["opacity"] <= 0.6 and target["opacity"] == 1,
          f"the two clouds are not told apart by default: source {source}, target {target}")
    check(links["color_array"] == "" and links["diffuse_color"] == report["link_color"] and links["line_width"] >= 3,
          f"the links are not thick lines of the link colour by default: {links}")
    summary = check_picture(report["screenshot"], report)
    # The source's faded points are in the screenshot too: pair colours blended with the white
    # background at the source's opacity.
    image = read_png(report["screenshot"]).reshape(-1, 3)
    faded = np.round((source["opacity"] * np.array(report["palette"]) + (1 - source["opacity"])) * 255)
    faded_seen = sum(int(np.sum(np.all(np.abs(image - color) <= 8, axis=1))) >= 10 for color in faded)
    check(faded_seen >= 0.8 * len(faded), f"{faded_seen} of the {len(faded)} faded source colours seen")
    summary["faded_source_colors"] = faded_seen
    summary["closest_colors_cielab"] = closest
    if readme:
        # Points drawn as shaded spheres: their colours vary, so only blankness and links are checked.
        check_picture(readme, report, size=(1600, 1000), min_colors=0)
    return report, summary


def test_kinect(plugin, data, out, readme):
    """The Kinect demo: two real frames -> Euclidean Clusters -> Chamfer Cluster Matching, as the GUI
    shows it by default; README_PNG, if given, gets the picture too."""
    environment = {"SCIPAR_PLUGIN": plugin, "SCIPAR_DATA": data}
    if readme:
        environment["SCIPAR_README_PNG"] = readme
    report = run_gui(os.path.join(HERE, "gui_kinect.py"), environment, out)
    check(min(report["clusters"]) >= 10, f"Euclidean Clusters found {report['clusters']} clusters in the frames")
    check(report["links"] == report["num_pairs"] >= max(report["clusters"]) and report["mutual"] >= 10,
          f"{report['num_pairs']} pairs ({report['mutual']} mutual), {report['links']} links for "
          f"{report['clusters']} clusters")
    summary = check_picture(report["screenshot"], report, min_colors=10)
    return report, summary


def test_state(plugin, data, out, readme):
    report = run_gui(os.path.join(HERE, "gui_state.py"),
                     {"SCIPAR_PLUGIN": plugin, "SCIPAR_DATA": data,
                      "SCIPAR_STATE": os.path.join(HERE, "matching_state.pvsm")}, out)
    for path in report["reader_files"]:
        check(os.path.dirname(path) == os.path.realpath(data) or os.path.dirname(path) == data,
              f"a reader of the state still reads {path}, not a file of {data}")
    check(report["seed"]["source_points"] == 758 and report["seed"]["target_points"] == 758,
          f"seed clouds: {report['seed']}")
    check(report["seed"]["pairs"] == 50 and report["seed"]["mutual"] == 50, f"seed pairs: {report['seed']}")
    check(report["seed"]["target_points_matched_right"] == 1.0,
          f"seed_left_next: {report['seed']['target_points_matched_right']:.1%} of the points matched right")
    check(report["generated"]["target_points_matched_right"] >= 0.95,
          f"generated clusters: {report['generated']}")
    check(report["generated"]["metric"] == "Hausdorff", f"the state's metric was not restored: {report['generated']}")
    summary = check_picture(report["screenshot"], report)
    return report, summary


def play_events(name, plugin, out, **substitutions):
    """Plays the event script NAME.xml in the GUI, with the plugin auto-loaded from PV_PLUGIN_PATH
    and @STATE@ (and each @KEY@ of substitutions) replaced; returns the state it saved."""
    state = os.path.join(out, f"{name}.pvsm")
    if os.path.exists(state):
        os.remove(state)
    with open(os.path.join(HERE, f"{name}.xml")) as handle:
        events = handle.read().replace("@STATE@", state)
    for key, value in substitutions.items():
        events = events.replace(f"@{key}@", value)
    events_path = os.path.join(out, f"{name}.xml")
    with open(events_path, "w") as handle:
        handle.write(events)
    env = dict(os.environ, PV_PLUGIN_PATH=os.path.dirname(plugin), PQOBJECTNAMING_MATCH_LIMIT="20")
    command = ["paraview", "--dr", f"--test-script={events_path}", "--exit"]
    print("running on a display of its own:", " ".join(command), flush=True)
    try:
        result = run_on_private_display(command, env, timeout=300)
    except subprocess.TimeoutExpired:
        raise Failure(f"the GUI did not finish playing {name}.xml (a dialog left open by a failed event?)")
    log = result.stdout + result.stderr
    with open(os.path.join(out, f"{name}.log"), "w") as handle:
        handle.write(log)
    check(result.returncode == 0 and "Success =  true" in log,
          f"playing {name}.xml failed (status {result.returncode}):\n{log}")
    check("critical:" not in log and "ERR|" not in log, f"errors in the GUI output:\n{log}")
    check(os.path.exists(state), f"File > Save State wrote no {state}")
    return state


def state_elements(proxy, name):
    prop = proxy.find(f"Property[@name='{name}']")
    return [e.get("value") for e in prop.findall("Element")] if prop is not None else []


def pair_colors_in_state(root):
    """The PairIndex colour map of a saved state."""
    names = {item.get("id"): item.get("name") for item in root.iter("Item")}
    luts = [p for p in root.iter("Proxy") if p.get("group") == "lookup_tables" and
            names.get(p.get("id")) == "PairIndex.PVLookupTable"]
    check(len(luts) == 1, f"the saved state has {len(luts)} PairIndex colour maps, expected 1")
    return luts[0]


def pair_legends_in_state(root):
    return [p for p in root.iter("Proxy") if p.get("type") == "ScalarBarWidgetRepresentation" and
            state_elements(p, "Title") == ["PairIndex"]]


def test_cli_files(plugin, data, out, cli):
    """The files scipar-match writes, opened in the GUI (gui_cli_files.xml): categorical colours named
    after the pairs, and no legend of their 65 pairs left visible."""
    import xml.etree.ElementTree as ElementTree
    files = os.path.join(out, "scipar-match")
    shutil.rmtree(files, ignore_errors=True)
    result = subprocess.run([cli, os.path.join(data, "seed_left.vtp"), os.path.join(data, "seed_right.vtp"),
                             "-o", files], capture_output=True, text=True, timeout=120)
    check(result.returncode == 0, f"scipar-match failed: {result.stdout}{result.stderr}")
    import csv
    with open(os.path.join(files, "pairs.csv"), newline="") as handle:
        pairs = [(int(row["SourceId"]), int(row["TargetId"])) for row in csv.DictReader(handle)]
    check(len(pairs) > 20, f"{len(pairs)} pairs: the legend would be readable, the test needs more than 20")
    root = ElementTree.parse(play_events("gui_cli_files", plugin, out, CLI=files)).getroot()
    lut = pair_colors_in_state(root)
    check(state_elements(lut, "IndexedLookup") == ["1"], "PairIndex is not coloured as categories")
    annotations = state_elements(lut, "Annotations")
    check(annotations[1::2] == ["no pair"] + [f"{s} -> {t}" for s, t in pairs],
          f"the legend's labels {annotations[1::2][:4]}... are not the pairs of pairs.csv {pairs[:3]}...")
    legends = pair_legends_in_state(root)
    visible = [p.get("id") for p in legends if state_elements(p, "Visibility") != ["0"]]
    check(legends and not visible, f"legends of {len(pairs)} pairs left visible: {visible} of {len(legends)}")
    return {"screenshot": "(none: this test plays GUI events)"}, {"pairs": len(pairs), "legends": len(legends)}


def test_menus(plugin, data, out, readme):
    """Plays gui_menus.xml (menus, properties panel, input dialog, File > Save State) in the GUI with
    the plugin auto-loaded from PV_PLUGIN_PATH, then reads the state it saved."""
    import xml.etree.ElementTree as ElementTree
    state = play_events("gui_menus", plugin, out)
    proxies = {}
    for proxy in ElementTree.parse(state).getroot().iter("Proxy"):
        if proxy.get("group") in ("sources", "filters"):
            proxies[proxy.get("id")] = proxy

    def of_type(name):
        found = [p for p in proxies.values() if p.get("type") == name]
        check(len(found) == 1, f"the saved state has {len(found)} {name} proxies, expected 1")
        return found[0]

    def value(proxy, name):
        prop = proxy.find(f"Property[@name='{name}']")
        check(prop is not None, f"{proxy.get('type')} has no property {name} in the state")
        element, proxy = prop.find("Element"), prop.find("Proxy")
        return element.get("value") if element is not None else proxy.get("value") if proxy is not None else None

    clusters, moved = of_type("GaussianClusters"), of_type("NextFrame")
    check(value(clusters, "ClusterCount") == "30", "Cluster Count typed in the panel is not in the state")
    check(float(value(moved, "Shift")) == 2.0, "Shift typed in the panel is not in the state")
    check(value(moved, "Input") == clusters.get("id"), "Next Frame's input is not Gaussian Clusters")
    # Made through the dialog as it opened for one selected source, with inputs picked by hand in the
    # dialog, and through the dialog as it opened for two selected sources.
    matchings = [p for p in proxies.values() if p.get("type") == "ChamferClusterMatching"]
    routes = ("the dialog as it opens for one selected source", "the input dialog", "two selected sources")
    check(len(matchings) == 3, f"the saved state has {len(matchings)} Chamfer Cluster Matching proxies, "
                               f"expected 3 ({', '.join(routes)})")
    for matching, route in zip(sorted(matchings, key=lambda p: int(p.get("id"))), routes):
        check(value(matching, "Source") == clusters.get("id") and value(matching, "Target") == moved.get("id"),
              f"Chamfer Cluster Matching made from {route}: inputs are not Source = Gaussian Clusters, "
              "Target = Next Frame")

    # Applied in the GUI, the first matching's outputs got the default look in the render view: the
    # source as larger faded points, the target solid, the links thick and black.
    matching_ids = {p.get("id") for p in matchings}
    looks = {}
    for rep in ElementTree.parse(state).getroot().iter("Proxy"):
        source = rep.find("Property[@name='Input']/Proxy")
        if rep.get("group") == "representations" and source is not None and source.get("value") in matching_ids \
                and rep.find("Property[@name='PointSize']") is not None:
            looks.setdefault(source.get("output_port"), []).append(
                {name: state_elements(rep, name) for name in ("PointSize", "Opacity", "LineWidth", "DiffuseColor")})
    expected = {"0": {"PointSize": ["8"], "Opacity": ["0.4"]}, "1": {"PointSize": ["4"], "Opacity": ["1"]},
                "3": {"LineWidth": ["3"], "DiffuseColor": ["0", "0", "0"]}}
    for port, want in expected.items():
        check(any(all(look[k] == v for k, v in want.items()) for look in looks.get(port, [])),
              f"after Apply, output {port} of the matching is not shown as {want}: {looks.get(port)}")

    # Applied in the GUI, the outputs were coloured by PairIndex with the plugin's categorical map:
    # -1 and one value per pair (30 source clusters: at least 30 pairs), distinct colours, and the
    # legend, too long to read for that many pairs, hidden.
    root = ElementTree.parse(state).getroot()
    luts = [pair_colors_in_state(root)]
    elements = state_elements
    check(elements(luts[0], "IndexedLookup") == ["1"], "PairIndex is not coloured as categories after Apply")
    values = elements(luts[0], "Annotations")[0::2]
    check(len(values) >= 31 and values == [str(i) for i in range(-1, len(values) - 1)],
          f"the PairIndex colour map annotates {values}, not -1 and every pair")
    colors = elements(luts[0], "IndexedColors")
    check(len(set(zip(colors[0::3], colors[1::3], colors[2::3]))) == len(values),
          "the PairIndex colour map has fewer distinct colours than values")
    legends = pair_legends_in_state(root)
    check(legends and all(elements(p, "Visibility") == ["0"] for p in legends),
          "the legend of more than 20 pairs is shown")
    return {"screenshot": "(none: this test plays GUI events)"}, {"state": state,
                                                                   "pairs": len(values) - 1}


def main():
    mode, plugin, data, out = sys.argv[1:5]
    readme = sys.argv[5] if len(sys.argv) > 5 else None
    os.makedirs(out, exist_ok=True)
    try:
        tests = {"pipeline": test_pipeline, "state": test_state, "menus": test_menus, "cli_files": test_cli_files,
                 "kinect": test_kinect}
        report, summary = tests[mode](plugin, data, out, readme)
    except Failure as failure:
        print(f"FAILED gui.{mode}: {failure}")
        sys.exit(1)
    print(f"gui.{mode}: passed; screenshot {report['screenshot']}; {summary}")


if __name__ == "__main__":
    main()
