"""What `cmake --install` gives a user, checked in a staging directory.

Usage: python3 test_install.py BUILD_DIR REPOSITORY OUT_DIR

1. `cmake --install BUILD_DIR` with DESTDIR=OUT_DIR/stage: the plugin in ParaView's plugin
   directory (<libdir>/paraview-X.Y/plugins/Scipar/) with the plugins XML listing it, the line of
   <bindir>/paraview.conf naming that XML (or, for Debian's ParaView 5.13, which reads only its own
   paraview.conf, a link to the plugin's directory in the directory that file names),
   libscipar with its headers, CMake package and pkg-config file, scipar-match; nothing else in the
   system library directory.
2. ParaView finds the plugin by itself. ParaView reads paraview.conf beside its executable, so the
   staged bindir gets a copy of the pvpython and paraview executables: there,
   LoadDistributedPlugin('Scipar') works in pvpython, and the GUI lists the plugin (loaded, as the
   install asks to auto-load it) and opens a saved state without loading anything by hand. With the
   system's pvpython, PV_PLUGIN_PATH pointed at the staged plugin does the same. (Debian's 5.13 reads
   its conf from a fixed path, so there the same runs go through the staged link with PV_PLUGIN_PATH.)
3. The installed scipar-match matches the sample clouds.
4. The README's C example builds against the staged libscipar with find_package(scipar) and with
   pkg-config, and prints the README's answer.
5. `cpack -G DEB` packs the same files, with a dependency on the ParaView it was built against.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

README_ANSWER = "7 -> 2: 0.455 (mutual)\n8 -> 1: 0.539 (mutual)\n"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(command, what, env=None, cwd=None, timeout=300):
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    output = result.stdout + result.stderr
    check(result.returncode == 0, f"{what} failed (status {result.returncode}): {' '.join(command)}\n{output}")
    return output


def cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt")) as handle:
        match = re.search(rf"^{name}:\w+=(.*)$", handle.read(), re.M)
    check(match, f"{name} is not in the build's CMake cache")
    return match.group(1)


def install(build, stage):
    shutil.rmtree(stage, ignore_errors=True)
    run(["cmake", "--install", build], "cmake --install", env=dict(os.environ, DESTDIR=stage))
    prefix = cache_value(build, "CMAKE_INSTALL_PREFIX")
    libdir = cache_value(build, "CMAKE_INSTALL_LIBDIR")
    root = stage + prefix
    plugins = os.path.join(root, libdir, cache_value(build, "SCIPAR_PLUGIN_SUBDIR"))
    # Where the install lists the plugin for ParaView: empty for <bindir>/paraview.conf, else a
    # directory whose plugins ParaView lists (Debian's ParaView 5.13).
    registry = cache_value(build, "SCIPAR_PLUGIN_REGISTRY")
    link = stage + registry + "/Scipar" if registry else None
    expected = [
        os.path.join(plugins, "Scipar", "Scipar.so"),
        os.path.join(plugins, "Scipar", "libSciparFilters.so"),
        os.path.join(plugins, "scipar.plugins.xml"),
        link or os.path.join(root, "bin", "paraview.conf"),
        os.path.join(root, "bin", "scipar-match"),
        os.path.join(root, libdir, "libscipar.so"),
        os.path.join(root, "include", "scipar", "scipar.h"),
        os.path.join(root, "include", "scipar", "distributed.h"),
        os.path.join(root, "include", "scipar", "generate.h"),
        os.path.join(root, libdir, "cmake", "scipar", "scipar-config.cmake"),
        os.path.join(root, libdir, "cmake", "scipar", "scipar-config-version.cmake"),
        os.path.join(root, libdir, "pkgconfig", "scipar.pc"),
    ]
    for path in expected:
        check(os.path.exists(path), f"the install has no {os.path.relpath(path, stage)}")
    check(not [name for name in os.listdir(os.path.join(root, libdir)) if name.endswith(".a")],
          f"static libraries installed in {libdir}: {os.listdir(os.path.join(root, libdir))}")
    with open(os.path.join(plugins, "scipar.plugins.xml")) as handle:
        plugins_xml = handle.read()
    check(re.search(r'<Plugin name="Scipar" auto_load="[01]"[^>]*/>', plugins_xml), f"plugins XML: {plugins_xml}")
    staged = {"stage": stage, "root": root, "libdir": os.path.join(root, libdir), "plugins": plugins,
              "autoload": 'auto_load="1"' in plugins_xml, "files": expected, "link": link}
    if link:
        check(os.path.islink(link) and not os.path.isabs(os.readlink(link)),
              f"{link} is not a relative link")
        check(os.path.samefile(link, os.path.join(plugins, "Scipar")), f"{link} does not lead to the plugin")
        check(not os.path.exists(os.path.join(root, "bin", "paraview.conf")),
              "paraview.conf installed beside the executables, which this ParaView does not read")
        run(["cmake", "--install", build], "a second cmake --install", env=dict(os.environ, DESTDIR=stage))
        check(os.path.samefile(link, os.path.join(plugins, "Scipar")), "a second install broke the link")
        return staged
    with open(os.path.join(root, "bin", "paraview.conf")) as handle:
        lines = handle.read().splitlines()
    xml_from_bin = os.path.relpath(os.path.join(plugins, "scipar.plugins.xml"), os.path.join(root, "bin"))
    check(lines == [xml_from_bin], f"paraview.conf lists {lines}, expected [{xml_from_bin!r}]")
    # Installing again keeps the file as it is (and another package's lines with it).
    run(["cmake", "--install", build], "a second cmake --install", env=dict(os.environ, DESTDIR=stage))
    with open(os.path.join(root, "bin", "paraview.conf")) as handle:
        check(handle.read().splitlines() == lines, "a second install changed paraview.conf")
    return staged


BY_NAME = r"""
import json, sys
from paraview import servermanager
from paraview.simple import *
plm = servermanager.vtkSMProxyManager.GetProxyManager().GetPluginManager()
info = plm.GetLocalInformation()
listed = {info.GetPluginName(i): bool(info.GetPluginLoaded(i)) for i in range(info.GetNumberOfPlugins())}
LoadDistributedPlugin('Scipar', ns=globals())
clusters = GaussianClusters(ClusterCount=12, Seed=3, BoxRange=[0, 100])
moved = NextFrame(Input=clusters, Seed=4)
matching = ChamferClusterMatching(Source=clusters, Target=moved)
matching.UpdatePipeline()
target = servermanager.Fetch(matching, idx=1).GetPointData()
pair, truth = target.GetArray('PairId'), target.GetArray('TrueClusterId')
right = sum(pair.GetValue(i) == truth.GetValue(i) for i in range(pair.GetNumberOfTuples()))
print('REPORT ' + json.dumps({'listed': listed, 'points': pair.GetNumberOfTuples(), 'right': right}))
"""


def report_of(output, what):
    match = re.search(r"^REPORT (.*)$", output, re.M)
    check(match, f"{what} printed no report:\n{output}")
    return json.loads(match.group(1))


def check_by_name(report, staged, what, listed_before_load):
    check("Scipar" in report["listed"], f"{what}: the plugin is not listed: {report['listed']}")
    if listed_before_load is not None:
        check(report["listed"]["Scipar"] == listed_before_load,
              f"{what}: the plugin was {'' if report['listed']['Scipar'] else 'not '}loaded at start, "
              f"the install asked auto-load {staged['autoload']}")
    check(report["points"] > 0 and report["right"] == report["points"],
          f"{what}: {report['right']} of {report['points']} moved points matched their true cluster")


def copy_executable(name, bindir):
    """A copy (not a link) of a ParaView executable in the staged bindir, so that it reads the
    staged paraview.conf, as the system's executable reads the installed one."""
    real = os.path.realpath(shutil.which(name))
    copy = os.path.join(bindir, os.path.basename(real))
    shutil.copy2(real, copy)
    return copy


def check_pvpython(staged, out):
    script = os.path.join(out, "by_name.py")
    with open(script, "w") as handle:
        handle.write(BY_NAME)
    if not staged["link"]:
        staged_pvpython = copy_executable("pvpython", os.path.join(staged["root"], "bin"))
        output = run([staged_pvpython, "--dr", script], "pvpython beside the staged paraview.conf")
        check_by_name(report_of(output, "staged pvpython"), staged, "pvpython beside paraview.conf", staged["autoload"])
    environment = dict(os.environ, PV_PLUGIN_PATH=staged["link"] or os.path.join(staged["plugins"], "Scipar"))
    output = run(["pvpython", "--dr", script], "pvpython with PV_PLUGIN_PATH", env=environment)
    check_by_name(report_of(output, "PV_PLUGIN_PATH"), staged, "pvpython with PV_PLUGIN_PATH", None)
    # Without either, the plugin is not found: the checks above are not passing by accident.
    result = subprocess.run(["pvpython", "--dr", script], capture_output=True, text=True,
                            env={k: v for k, v in os.environ.items() if not k.startswith("PV_PLUGIN")})
    check("Plugin 'Scipar' not found" in result.stderr + result.stdout,
          f"the system's pvpython found a Scipar plugin without being told where:\n{result.stdout}{result.stderr}")


GUI_SCRIPT = r"""
import json, os, traceback
report = {}
try:
    from paraview import servermanager
    from paraview.simple import FindSource, LoadState
    plm = servermanager.vtkSMProxyManager.GetProxyManager().GetPluginManager()
    info = plm.GetLocalInformation()
    report['listed'] = {info.GetPluginName(i): bool(info.GetPluginLoaded(i)) for i in range(info.GetNumberOfPlugins())}
    if not report['listed'].get('Scipar'):
        raise SystemExit  # not auto-loaded: nothing to open the state with
    # No LoadPlugin: the installed plugin must already be there for the state's proxies.
    LoadState(os.environ['SCIPAR_STATE'], data_directory=os.environ['SCIPAR_DATA'], restrict_to_data_directory=True)
    matching = FindSource('Seed matching')
    report['pairs'] = servermanager.Fetch(matching, idx=2).GetNumberOfRows() if matching else None
except SystemExit:
    pass
except Exception:
    report['error'] = traceback.format_exc()
with open(os.environ['SCIPAR_REPORT'], 'w') as handle:
    json.dump(report, handle)
"""


def check_gui(staged, repository, out):
    script, report_path = os.path.join(out, "gui_installed.py"), os.path.join(out, "gui_installed.json")
    with open(script, "w") as handle:
        handle.write(GUI_SCRIPT)
    if os.path.exists(report_path):
        os.remove(report_path)
    environment = dict(os.environ, SCIPAR_REPORT=report_path, SCIPAR_DATA=os.path.join(repository, "data"),
                       SCIPAR_STATE=os.path.join(repository, "testing", "gui", "matching_state.pvsm"))
    environment.pop("DISPLAY", None)
    environment = {k: v for k, v in environment.items() if not k.startswith("PV_PLUGIN")}
    if staged["link"]:
        # This ParaView reads its own paraview.conf only: the GUI loads the plugin through the link.
        paraview = shutil.which("paraview")
        environment["PV_PLUGIN_PATH"] = staged["link"]
    else:
        paraview = copy_executable("paraview", os.path.join(staged["root"], "bin"))
    log = run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", paraview, "--dr", f"--script={script}", "--exit"],
              "the staged paraview GUI", env=environment)
    check(os.path.exists(report_path), f"the GUI script wrote no report:\n{log}")
    with open(report_path) as handle:
        report = json.load(handle)
    check("error" not in report, f"the GUI script failed:\n{report.get('error')}\n{log}")
    check(report["listed"].get("Scipar") is not None, f"Manage Plugins would not list Scipar: {report['listed']}")
    if staged["autoload"] or staged["link"]:
        check(report["listed"]["Scipar"], "the installed plugin, marked auto-load, was not loaded at start")
        check(report["pairs"] == 50, f"the state opened without loading the plugin by hand gave {report['pairs']} pairs")
    check("ERR|" not in log, f"errors in the GUI output:\n{log}")
    return report


def readme_c_example(repository):
    with open(os.path.join(repository, "README.md")) as handle:
        blocks = re.findall(r"^```c\n(.*?)^```", handle.read(), re.S | re.M)
    check(blocks and blocks[0].startswith("/* match.c:"), "the README has no match.c example")
    return blocks[0]


def check_c_consumers(staged, repository, out):
    source = readme_c_example(repository)
    project = os.path.join(out, "consumer")
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(__file__)), "consumer"), project)
    with open(os.path.join(project, "match.c"), "w") as handle:
        handle.write(source)
    build = os.path.join(out, "consumer-build")
    shutil.rmtree(build, ignore_errors=True)
    run(["cmake", "-S", project, "-B", build, f"-DCMAKE_PREFIX_PATH={staged['root']}"], "configuring with find_package(scipar)")
    run(["cmake", "--build", build], "building with find_package(scipar)")
    printed = run([os.path.join(build, "match")], "the find_package build of match.c")
    check(printed == README_ANSWER, f"find_package build printed {printed!r}, expected {README_ANSWER!r}")

    environment = dict(os.environ, PKG_CONFIG_PATH=os.path.join(staged["libdir"], "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "scipar"], "pkg-config scipar", env=environment).split()
    check(any(staged["root"] in flag for flag in flags), f"pkg-config flags {flags} do not point into the install")
    program = os.path.join(out, "match_pkgconfig")
    run(["cc", "-std=c11", "-Wall", "-Werror", os.path.join(project, "match.c"), *flags, "-o", program],
        "building with pkg-config")
    printed = run([program], "the pkg-config build of match.c",
                  env=dict(os.environ, LD_LIBRARY_PATH=staged["libdir"]))
    check(printed == README_ANSWER, f"pkg-config build printed {printed!r}, expected {README_ANSWER!r}")


def check_cli(staged, repository, out):
    result = os.path.join(out, "cli")
    shutil.rmtree(result, ignore_errors=True)
    printed = run([os.path.join(staged["root"], "bin", "scipar-match"), os.path.join(repository, "data", "seed_left.vtp"),
                   os.path.join(repository, "data", "seed_left_next.vtp"), "-o", result], "the installed scipar-match")
    check(re.search(r"^pairs: 50 \(50 mutual\)", printed, re.M), f"installed scipar-match printed:\n{printed}")


def check_deb(build, staged, out):
    packages = os.path.join(out, "packages")
    shutil.rmtree(packages, ignore_errors=True)
    run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", packages], "cpack -G DEB")
    debs = [name for name in os.listdir(packages) if name.endswith(".deb")]
    check(len(debs) == 1, f"cpack made {debs}")
    deb = os.path.join(packages, debs[0])
    listing = run(["dpkg-deb", "--contents", deb], "dpkg-deb --contents")
    # "<mode> <owner> <size> <date> <time> ./path[ -> target]"
    in_deb = {line.split(None, 5)[5].split(" -> ")[0].lstrip(".") for line in listing.splitlines()}
    for path in staged["files"]:
        installed = "/" + os.path.relpath(path, staged["stage"])
        check(installed in in_deb, f"the .deb lacks {installed}:\n{listing}")
    depends = run(["dpkg-deb", "--field", deb, "Depends"], "dpkg-deb --field")
    version = re.search(r"paraview-(\d+\.\d+)", staged["plugins"]).group(1)
    check(f"paraview (>= {version})" in depends, f"the .deb's Depends, for ParaView {version}: {depends}")
    return debs[0]


def main():
    build, repository, out = (os.path.abspath(path) for path in sys.argv[1:4])
    os.makedirs(out, exist_ok=True)
    staged = install(build, os.path.join(out, "stage"))
    check_pvpython(staged, out)
    check_cli(staged, repository, out)
    check_c_consumers(staged, repository, out)
    gui = check_gui(staged, repository, out)
    deb = check_deb(build, staged, out)
    print(f"install.staged: passed; plugin in {os.path.relpath(staged['plugins'], out)}, auto-load "
          f"{staged['autoload']}, GUI lists {sorted(gui['listed'])}, package {deb}")


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"FAILED install.staged: {failure}")
        sys.exit(1)
