"""The README's pvpython example must run as written, from the repository, and print its pair count.

Usage: pvpython test_readme.py REPOSITORY BUILD_DIR

The example's plugin path is relative to the repository (build/...); it is pointed at BUILD_DIR's
plugin, and the example runs in a scratch copy of the repository's data so that its outputs do not
land in the source tree.
"""
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile


def main():
    repository, build = sys.argv[1], sys.argv[2]
    with open(os.path.join(repository, "README.md")) as readme:
        example = re.search(r"## From pvpython\n\n```python\n(.*?)```", readme.read(), re.S).group(1)
    plugin = os.path.join(build, "lib", "paraview-plugins", "Scipar", "Scipar.so")
    assert "'build/lib/paraview-plugins/Scipar/Scipar.so'" in example, "the example loads the built plugin"
    example = example.replace("'build/lib/paraview-plugins/Scipar/Scipar.so'", repr(plugin))
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(os.path.join(repository, "data"), os.path.join(scratch, "data"))
        os.chdir(scratch)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(example, "README.md", "exec"), {})
        for written in ("source.vtu", "target.vtu", "pairs.csv"):
            assert os.path.getsize(written) > 0, f"the example writes {written}"
    assert re.search(r"^50 pairs$", printed.getvalue(), re.M), f"unexpected output: {printed.getvalue()!r}"
    print("test_readme: the README's pvpython example runs as written")


if __name__ == "__main__":
    main()
