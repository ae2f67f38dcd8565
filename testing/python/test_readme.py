"""Every example of the README runs as written, from a copy of the repository's layout.

Usage: python3 test_readme.py REPOSITORY BUILD_DIR

Each fenced code block of README.md is either run here or named in SETUP (commands that build and
test the project itself: .ci/run and every developer run them, and running them from a test would
rebuild the build tree the test runs from). A block that is neither makes the test fail, so a new
example cannot be left untested by mistake.

The examples run in a scratch directory holding a copy of data/ and links `build` to BUILD_DIR and
`core` to the repository's, so that their relative paths (data/..., build/...) work as written and
their outputs stay out of the source tree. Python blocks run with pvpython; C blocks are saved under
the file name their first comment gives (`/* match.c: ... */`) for the shell commands that follow
to compile; shell commands run with bash; `script.py` in a command is the README's first pvpython
example that saves files, saving .pvtu files as the README says to under MPI.

`cmake --install build` runs with DESTDIR set to a staging directory, never into the system. The
examples after it see that install as they would the real one: pkg-config and the dynamic loader
look there, and Python blocks that load the plugin by name run in a copy of pvpython placed in the
staged bin directory, which reads the staged paraview.conf as the system's pvpython reads
/usr/bin/paraview.conf.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Commands of the README that set the project up; each must appear exactly as written here.
SETUP = {
    "bash scripts/demo.sh": "installs, builds and runs the demo in the repository",
    "bash scripts/test.sh": "the whole test suite, of which this test is part",
    "bash scripts/install-deps.sh": "installs Debian packages (done before any test can run)",
    "cmake -S . -B build && cmake --build build -j": "builds the tree this test runs from",
    "ctest --test-dir build --output-on-failure": "runs the test suite",
    "cmake -S . -B build-pv -DParaView_DIR=/path/to/lib/cmake/paraview-5.13":
        "configures against another ParaView, whose path the reader fills in (scripts/test-paraview-5.13.sh does "
        "it for 5.13)",
    "cmake --build build-pv -j": "builds against that other ParaView",
}

# What some examples must print, besides running without error (keyed by a line of the example).
EXPECTED_OUTPUT = {
    "print(pairs.GetNumberOfRows(), 'pairs')": r"^50 pairs$",
    "print(f'{(found == truth).mean():.1%} of the moved points matched their true cluster')":
        r"^(9[5-9]|100)\.\d% of the moved points matched their true cluster$",
    "build/bin/scipar-match data/seed_left.vtp data/seed_left_next.vtp -o out": r"^pairs: 50 \(50 mutual\)",
    "build/bin/scipar-match data/seed_left.csv data/seed_left_next.csv": r"^pairs: 50 \(50 mutual\), metric Hausdorff",
    "build/bin/scipar-match --help": r"Usage|usage",
    "print(servermanager.Fetch(matching, idx=2).GetNumberOfRows(), 'pairs')": r"^\d+ pairs$",
    "print(f'{(track == truth).mean():.0%} of the points of step 5 are on their true track')":
        r"^100% of the points of step 5 are on their true track$",
    "print(servermanager.Fetch(tracking, idx=1).GetNumberOfCells(), 'tracks', {k: kinds.count(k)":
        r"^43 tracks \{'birth': 15, 'death': 3, 'merge': 14, 'split': 6\}$",
    "print(lut.Annotations[3])                              # the first pair's legend entry": r"^0 -> 1\d\d$",
    "./match": r"^7 -> 2: 0\.455 \(mutual\)\n8 -> 1: 0\.539 \(mutual\)$",
}


class Failure(Exception):
    pass


def blocks(readme):
    """(language, text) of every fenced code block."""
    return re.findall(r"^```(\w*)\n(.*?)^```", readme, re.S | re.M)


def commands(shell_block):
    """The commands of a shell block, without their trailing comments."""
    for line in shell_block.splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            yield command


def run(command, scratch, what, environment=None):
    result = subprocess.run(command, cwd=scratch, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, **(environment or {})))
    output = result.stdout + result.stderr
    if result.returncode != 0 or "Traceback" in output or "ERR|" in output:
        raise Failure(f"{what} failed (status {result.returncode}):\n{output}")
    return output


def check_output(example, output, what):
    for key, pattern in EXPECTED_OUTPUT.items():
        if key in example and not re.search(pattern, output, re.M):
            raise Failure(f"{what}: expected output matching {pattern!r}, got:\n{output}")


def cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt")) as handle:
        return re.search(rf"^{name}:\w+=(.*)$", handle.read(), re.M).group(1)


class Staged:
    """`cmake --install build` into a staging directory, and what the examples after it need to
    use that install as the real one."""

    def __init__(self, scratch, build):
        self.stage = os.path.join(scratch, "stage")
        root = self.stage + cache_value(build, "CMAKE_INSTALL_PREFIX")
        self.libdir = os.path.join(root, cache_value(build, "CMAKE_INSTALL_LIBDIR"))
        self.bindir = os.path.join(root, cache_value(build, "CMAKE_INSTALL_BINDIR"))
        # Debian's ParaView 5.13 reads only its own paraview.conf, at a fixed path, which names a
        # directory the install links the plugin into (see packaging/CMakeLists.txt).
        registry = cache_value(build, "SCIPAR_PLUGIN_REGISTRY")
        self.link = self.stage + registry + "/Scipar" if registry else None
        self.pvpython = None

    def install(self, command, scratch, what):
        output = run(["bash", "-c", command], scratch, what, {"DESTDIR": self.stage})
        if self.link:
            self.pvpython = shutil.which("pvpython")
            return output
        real = os.path.realpath(shutil.which("pvpython"))
        self.pvpython = os.path.join(self.bindir, os.path.basename(real))
        shutil.copy2(real, self.pvpython)
        return output

    def python_environment(self):
        """For the pvpython that loads the installed plugin by name: the staged link stands for the
        system directory that Debian's ParaView 5.13 lists plugins from."""
        return {"PV_PLUGIN_PATH": self.link} if self.link else {}

    def environment(self):
        if not self.pvpython:
            return {}
        return {"PKG_CONFIG_PATH": os.path.join(self.libdir, "pkgconfig"), "LD_LIBRARY_PATH": self.libdir}


def main():
    repository, build = sys.argv[1], sys.argv[2]
    with open(os.path.join(repository, "README.md")) as handle:
        readme = handle.read()
    pvpython = shutil.which("pvpython")
    ran, skipped = [], []
    # Oversubscription: Open MPI 4's variable, and Open MPI 5's (its PRRTE launcher ignores the former).
    mpi = {"OMPI_MCA_rmaps_base_oversubscribe": "1", "PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe",
           "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(os.path.join(repository, "data"), os.path.join(scratch, "data"))
        os.symlink(os.path.abspath(build), os.path.join(scratch, "build"))
        os.symlink(os.path.join(os.path.abspath(repository), "core"), os.path.join(scratch, "core"))
        saving = [text for language, text in blocks(readme) if language == "python" and "SaveData" in text]
        with open(os.path.join(scratch, "script.py"), "w") as handle:
            handle.write(saving[0].replace(".vtu'", ".pvtu'"))
        staged = Staged(scratch, build)
        for number, (language, text) in enumerate(blocks(readme), 1):
            what = f"README block {number} ({language or 'plain'})"
            if language == "python":
                path = os.path.join(scratch, f"example_{number}.py")
                with open(path, "w") as handle:
                    handle.write(text)
                interpreter, environment = pvpython, None
                if "LoadDistributedPlugin" in text:
                    if not staged.pvpython:
                        raise Failure(f"{what} loads the installed plugin before the README installs it")
                    interpreter, environment = staged.pvpython, staged.python_environment()
                output = run([interpreter, "--dr", "--force-offscreen-rendering", path], scratch, what, environment)
                check_output(text, output, what)
                ran.append(what)
            elif language == "sh":
                for command in commands(text):
                    if command in SETUP:
                        skipped.append(command)
                        continue
                    if command.startswith("cmake --install"):
                        output = staged.install(command, scratch, f"{what}: {command}")
                    else:
                        # Open MPI refuses more ranks than cores unless told: the README's 4 ranks
                        # run on any machine with oversubscription allowed.
                        output = run(["bash", "-c", command], scratch, f"{what}: {command}",
                                     dict(mpi, **staged.environment()))
                    check_output(command, output, f"{what}: {command}")
                    ran.append(command)
            elif language == "c":
                name = re.match(r"/\* ([\w.]+\.c):", text)
                if not name:
                    raise Failure(f"{what} does not start with /* <file>.c: ... */")
                with open(os.path.join(scratch, name.group(1)), "w") as handle:
                    handle.write(text)
            else:
                raise Failure(f"{what} is neither run by this test nor a known setup command:\n{text}")
    unused = set(SETUP) - set(skipped)
    if unused:
        raise Failure(f"setup commands no longer in the README (update SETUP): {sorted(unused)}")
    print(f"test_readme: {len(ran)} examples ran as written; setup commands left to the build: {len(skipped)}")


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"FAILED test_readme: {failure}")
        sys.exit(1)
