"""How the GUI tests (and the README picture) show a Chamfer Cluster Matching in a render view.

Both clouds as points coloured by PairIndex with a categorical colour map (one colour per row of the
pairs table: matched clusters share a colour), the Pair Links output as black lines between the
matched clusters' centroids, on a white background. Used inside the ParaView GUI (paraview --script)
and in pvpython alike.
"""
import colorsys
import json

from paraview import servermanager
from paraview.simple import ColorBy, GetColorTransferFunction, GetOpacityTransferFunction, OutputPort, Show

BACKGROUND = (1.0, 1.0, 1.0)
LINK_COLOR = (0.0, 0.0, 0.0)
UNPAIRED_COLOR = (0.6, 0.6, 0.6)


def palette(count):
    """`count` distinct, saturated colours, far from white (background) and black (links)."""
    colors = []
    for i in range(count):
        hue = (i * 0.618033988749895) % 1.0
        saturation = (0.95, 0.7, 0.85)[i % 3]
        value = (0.95, 0.75)[(i // 3) % 2]
        colors.append(colorsys.hsv_to_rgb(hue, saturation, value))
    return colors


def categorical_pair_colors(num_pairs):
    """PairIndex as categories: value i (a row of the pairs table) -> palette colour i; -1 grey."""
    lut = GetColorTransferFunction("PairIndex")
    lut.InterpretValuesAsCategories = 1
    annotations, indexed = ["-1", "unpaired"], list(UNPAIRED_COLOR)
    for i, color in enumerate(palette(num_pairs)):
        annotations += [str(i), f"pair {i}"]
        indexed += list(color)
    lut.Annotations = annotations
    lut.IndexedColors = indexed
    GetOpacityTransferFunction("PairIndex")
    return lut


def show_matching(matching, view, point_sizes=(6, 3), spheres=False, line_width=2.0, set_colors=True):
    """Shows outputs 0 and 1 as points coloured by PairIndex (source points larger than target
    points, so that both show where they overlap) and output 3 as lines; returns the number of pairs
    (rows of output 2). set_colors=False leaves the PairIndex colour map to the plugin, which makes
    it categorical by itself in the GUI (not in pvpython)."""
    num_pairs = servermanager.Fetch(matching, idx=2).GetNumberOfRows()
    lut = categorical_pair_colors(num_pairs) if set_colors else None
    for port in (0, 1):
        display = Show(OutputPort(matching, port), view)
        display.SetRepresentationType("Points")
        display.PointSize = point_sizes[port]
        display.RenderPointsAsSpheres = 1 if spheres else 0
        ColorBy(display, ("POINTS", "PairIndex"))
        if lut:
            display.LookupTable = lut
        display.SetScalarBarVisibility(view, False)
    links = Show(OutputPort(matching, 3), view)
    links.SetRepresentationType("Wireframe")
    links.AmbientColor = list(LINK_COLOR)
    links.DiffuseColor = list(LINK_COLOR)
    links.LineWidth = line_width
    links.Ambient = 1.0
    links.Diffuse = 0.0
    plain_view(view)
    return num_pairs


def plain_view(view):
    """White background, no orientation axes."""
    view.UseColorPaletteForBackground = 0
    view.Background = list(BACKGROUND)
    view.OrientationAxesVisibility = 0


def proxy_documentation(group, name):
    """From the loaded proxy definitions: the ShowInMenu category and icon, the property groups
    (label -> property names), and the properties that have no documentation string (a
    self-explanatory panel documents every property)."""
    manager = servermanager.ProxyManager().GetProxyDefinitionManager()
    definition = manager.GetProxyDefinition(group, name)
    if definition is None:
        return {"defined": False}
    category, icon, undocumented, groups = None, None, [], {}
    for i in range(definition.GetNumberOfNestedElements()):
        element = definition.GetNestedElement(i)
        tag = element.GetName()
        if tag == "Hints":
            for j in range(element.GetNumberOfNestedElements()):
                hint = element.GetNestedElement(j)
                if hint.GetName() == "ShowInMenu":
                    category, icon = hint.GetAttribute("category"), hint.GetAttribute("icon")
        elif tag == "PropertyGroup":
            groups[element.GetAttribute("label")] = [element.GetNestedElement(j).GetAttribute("name")
                                                     for j in range(element.GetNumberOfNestedElements())]
        elif tag.endswith("Property") and element.GetAttribute("name"):
            documented = any(element.GetNestedElement(j).GetName() == "Documentation"
                             for j in range(element.GetNumberOfNestedElements()))
            if not documented:
                undocumented.append(element.GetAttribute("name"))
    return {"defined": True, "category": category, "icon": icon, "groups": groups, "undocumented": undocumented}


def write_report(path, report):
    with open(path, "w") as handle:
        json.dump(report, handle, indent=1, sort_keys=True)
