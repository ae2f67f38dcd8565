"""Tests of scipar-match, run by ctest with pvpython.

Usage: pvpython test_cli.py MODE SCIPAR_MATCH PLUGIN DATA_DIR WORK_DIR
MODE:
  help        --help explains the metrics, every option and output, with an example; --version
  data_files  data/seed_left.vtp -> data/seed_left_next.vtp: outputs exist and read back; the pairs
              table, grids and links equal the plugin filter's outputs on the same files; every
              target point is paired with its true cluster (TrueClusterId)
  options     --metric, --squared, --threads, --max-distance, --noise-id, --keep-noise and the array
              options give the filter's results with the same settings (the seed clouds, and a
              renamed id array); thread counts far above the machine's are clamped with a warning
  csv         clouds written as CSV here (custom column names, quotes, CRLF, ParaView's Points:0..2
              columns, float-looking ids, extra columns): the same results as the same clouds as .vtp
  errors      bad input and bad options: the exit status (1 input, 2 command line) and a message
              naming the problem, the file and, for CSV, the line and column
  outputs     an output never replaces an input (any path spelling, links); a failed write (file
              size limit) leaves the previous outputs whole and no temporary file; new files get the
              usual permissions; an output that is a symbolic link is replaced; a full standard
              output is reported
  out_of_memory  2 x 200,000 points under address-space limits from the least the program starts with
              to the least the match succeeds with, every megabyte: success or "out of memory", exit 1
  appended    clouds in VTK's default appended data mode (raw and base64): the same results as
              inline binary where this VTK reads them (always from VTK 9.3, ParaView 5.12), else
              (ParaView 5.11 with a recent expat) an error naming the file and the data mode
Exits non-zero with a message on the first failure.
"""
import csv
import os
import re
import resource
import shutil
import subprocess
import sys

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkFloatArray, vtkObject, vtkPoints, vtkVersion
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkIOXML import (vtkXMLPolyDataReader, vtkXMLPolyDataWriter,
                                 vtkXMLUnstructuredGridReader)

MODE, EXE, PLUGIN, DATA, WORK = sys.argv[1:6]
SOURCE = os.path.join(DATA, "seed_left.vtp")
TARGET = os.path.join(DATA, "seed_left_next.vtp")
RIGHT = os.path.join(DATA, "seed_right.vtp")
OUTPUTS = ("source.vtu", "target.vtu", "pairs.csv", "links.vtp")
MB = 1 << 20
# VTK 9.3 and later read appended-mode XML whatever the expat; ParaView 5.11's VTK 9.2 does not with
# expat >= 2.6 or Debian bookworm's patched 2.5 (VTK issue 19258).
READS_APPENDED_ALWAYS = (vtkVersion.GetVTKMajorVersion(), vtkVersion.GetVTKMinorVersion()) >= (9, 3)
APPENDED_HINT = r"appended data mode does not read back with ParaView 5\.11's VTK and a recent expat"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(*args, expect=0):
    """Runs scipar-match; checks its exit status; returns (stdout, stderr)."""
    result = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=120)
    check(result.returncode == expect,
          f"scipar-match {' '.join(map(str, args))}: exit status {result.returncode}, expected {expect}\n"
          f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result.stdout, result.stderr


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def read_xml(path):
    reader = vtkXMLUnstructuredGridReader() if path.endswith(".vtu") else vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    data = reader.GetOutput()
    check(data.GetNumberOfPoints() > 0, f"{path} reads back with no points")
    return data


def arrays(attributes):
    return {attributes.GetArrayName(i): vtk_to_numpy(attributes.GetArray(i))
            for i in range(attributes.GetNumberOfArrays())}


def read_pairs_csv(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    check(len(rows) >= 1, f"{path} is empty")
    return rows[0], rows[1:]


def table_as_csv(table):
    """The filter's vtkTable as (header, rows of exact values), named as scipar-match names columns."""
    header, columns = [], []
    for c in range(table.GetNumberOfColumns()):
        column = table.GetColumn(c)
        values = vtk_to_numpy(column)
        if values.ndim == 1:
            header.append(column.GetName())
            columns.append(values)
        else:
            for k in range(values.shape[1]):
                header.append(f"{column.GetName()}:{k}")
                columns.append(values[:, k])
    return header, columns


def filter_outputs(source, target, **properties):
    """The plugin filter's four outputs on two files, with proxy properties."""
    from paraview import servermanager
    from paraview.simple import LoadPlugin, XMLPolyDataReader, Delete
    import paraview.simple as simple
    if not hasattr(simple, "ChamferClusterMatching"):
        LoadPlugin(PLUGIN, ns=vars(simple))
    readers = [XMLPolyDataReader(FileName=[path]) for path in (source, target)]
    matching = simple.ChamferClusterMatching(Source=readers[0], Target=readers[1], **properties)
    matching.UpdatePipeline()
    outputs = []
    for port in range(4):
        data = servermanager.Fetch(matching, idx=port)
        copy = data.NewInstance()
        copy.DeepCopy(data)
        outputs.append(copy)
    Delete(matching)
    for reader in readers:
        Delete(reader)
    return outputs


def compare_with_filter(out, source, target, **properties):
    """scipar-match's files in `out` against the filter's outputs with the same settings."""
    grids = [read_xml(os.path.join(out, name)) for name in ("source.vtu", "target.vtu")]
    links = read_xml(os.path.join(out, "links.vtp"))
    header, rows = read_pairs_csv(os.path.join(out, "pairs.csv"))
    expected = filter_outputs(source, target, **properties)

    expected_header, expected_columns = table_as_csv(expected[2])
    check(header == expected_header, f"pairs.csv header {header}, the filter's table {expected_header}")
    check(len(rows) == expected[2].GetNumberOfRows(),
          f"pairs.csv has {len(rows)} rows, the filter's table {expected[2].GetNumberOfRows()}")
    for r, row in enumerate(rows):
        check(len(row) == len(header), f"pairs.csv row {r + 1} has {len(row)} fields")
        for name, text, column in zip(header, row, expected_columns):
            want = column[r]
            got = int(text) if np.issubdtype(column.dtype, np.integer) else float(text)
            check(got == want or (got != got and want != want),
                  f"pairs.csv row {r + 1} column {name}: {text}, the filter's table {want!r}")

    for side, (grid, want) in enumerate(zip(grids, expected[:2])):
        name = OUTPUTS[side]
        check(grid.GetNumberOfPoints() == want.GetNumberOfPoints() and
              grid.GetNumberOfCells() == want.GetNumberOfCells(),
              f"{name}: {grid.GetNumberOfPoints()} points, {grid.GetNumberOfCells()} cells; the filter "
              f"{want.GetNumberOfPoints()}, {want.GetNumberOfCells()}")
        check(np.array_equal(vtk_to_numpy(grid.GetPoints().GetData()),
                             vtk_to_numpy(want.GetPoints().GetData())), f"{name}: points differ")
        for kind in ("GetPointData", "GetCellData"):
            got, wanted = arrays(getattr(grid, kind)()), arrays(getattr(want, kind)())
            check(got.keys() == wanted.keys(), f"{name} {kind}: arrays {sorted(got)} vs {sorted(wanted)}")
            for array in wanted:
                check(got[array].dtype == wanted[array].dtype and
                      np.array_equal(got[array], wanted[array], equal_nan=True),
                      f"{name}: {kind} array {array} differs from the filter's")
        metric = grid.GetFieldData().GetAbstractArray("ChamferMetric")
        check(metric is not None and metric.GetValue(0) == want.GetFieldData().GetAbstractArray(
            "ChamferMetric").GetValue(0), f"{name}: ChamferMetric field data")

    check(links.GetNumberOfLines() == len(rows), f"links.vtp: {links.GetNumberOfLines()} lines, {len(rows)} pairs")
    ends = vtk_to_numpy(links.GetPoints().GetData())
    check(np.array_equal(ends, vtk_to_numpy(expected[3].GetPoints().GetData())), "links.vtp: line ends differ")
    centroids = np.array([[float(v) for v in row[header.index("SourceCentroid:0"):][:6]] for row in rows])
    if len(rows):
        check(np.array_equal(ends[0::2], centroids[:, :3]) and np.array_equal(ends[1::2], centroids[:, 3:]),
              "links.vtp: lines do not join the pairs' centroids")
    for array in ("Distance", "Mutual", "PairIndex", "SourceId", "TargetId"):
        check(np.array_equal(vtk_to_numpy(links.GetCellData().GetArray(array)),
                             vtk_to_numpy(expected[3].GetCellData().GetArray(array))),
              f"links.vtp: cell array {array} differs")
    return grids, header, rows


def test_help():
    text, _ = run("--help")
    for needed in ("Chamfer", "d(A->B)", "Max", "Sum", "Mean", "Hausdorff", "--source-array",
                   "--target-array", "--metric", "--squared", "--threads", "--max-distance", "-o, --output",
                   "--noise-id", "--keep-noise",
                   "source.vtu", "target.vtu", "pairs.csv", "links.vtp", ".csv", ".vtp", ".vtu",
                   "Exit status", "Example"):
        check(needed in text, f"--help does not mention {needed!r}")
    check(run("-h")[0] == text, "-h differs from --help")
    version, _ = run("--version")
    check(re.match(r"scipar-match \(scipar\) \d+\.\d+\.\d+", version), f"--version printed {version!r}")


def test_data_files():
    out = fresh("seed")
    text, errors = run(SOURCE, TARGET, "-o", out)
    for name in OUTPUTS:
        check(os.path.getsize(os.path.join(out, name)) > 0, f"{name} missing or empty")
    check("758 points in 50 clusters" in text and "pairs: 50 (50 mutual)" in text,
          f"unexpected summary: {text}")
    check(errors == "", f"unexpected messages on stderr: {errors}")
    for name in ("source.vtu", "target.vtu", "links.vtp"):
        with open(os.path.join(out, name), "rb") as handle:
            head = handle.read(4096)
        check(b'format="binary"' in head and b"AppendedData" not in head and b'format="appended"' not in head,
              f"{name} is not written in inline binary mode")
    grids, header, rows = compare_with_filter(out, SOURCE, TARGET)
    target = arrays(grids[1].GetPointData())
    check(np.array_equal(target["PairId"], target["TrueClusterId"]),
          "not every target point is paired with its true source cluster")
    check(all(row[header.index("Mutual")] == "1" for row in rows), "every pair should be mutual here")

    # The hard case: left against right, non-mutual pairs; the options written with "=".
    out = fresh("left_right")
    run(SOURCE, RIGHT, f"--output={out}", "--metric=Sum")
    _, header, rows = compare_with_filter(out, SOURCE, RIGHT, Metric="Sum")
    check(any(row[header.index("Mutual")] == "0" for row in rows), "expected non-mutual pairs")


def test_options():
    cases = [
        (["--metric", "Hausdorff"], {"Metric": "Hausdorff"}),
        (["--metric", "mean", "--squared"], {"Metric": "Mean", "SquaredDistances": 1}),
        (["--metric", "MAX", "--threads", "1"], {"Metric": "Max", "NumberOfThreads": 1}),
        (["--max-distance", "1.5"], {"MaxPairDistance": 1.5}),
        (["--squared", "--max-distance", "2", "--threads", "2"], {"SquaredDistances": 1, "MaxPairDistance": 2.0}),
        (["--noise-id", "3"], {"NoiseClusterId": 3}),
        (["--noise-id=3", "--keep-noise"], {"NoiseClusterId": 3, "SkipNoise": 0}),
    ]
    for n, (options, properties) in enumerate(cases):
        out = fresh(f"options_{n}")
        text, _ = run(SOURCE, RIGHT, "-o", out, *options)
        grids, header, rows = compare_with_filter(out, SOURCE, RIGHT, **properties)
        metric = grids[0].GetFieldData().GetAbstractArray("ChamferMetric").GetValue(0)
        check(metric.lower() == properties.get("Metric", "Max").lower(), f"{options}: metric {metric}")
        if "MaxPairDistance" in properties:
            check(-1 in arrays(grids[0].GetPointData())["PairId"], f"{options}: expected unpaired clusters")
        if "NumberOfThreads" in properties:
            check(f"{properties['NumberOfThreads']} threads" in text, f"{options}: summary {text}")
        if "NoiseClusterId" in properties:
            skipped = properties.get("SkipNoise", 1) == 1
            check(any(row[0] == "3" for row in rows) != skipped,
                  f"{options}: cluster 3 is {'' if skipped else 'not '}in pairs.csv")

    # Thread counts far above the machine's (the filter used to segfault): clamped, with a warning.
    maximum = 4 * len(os.sched_getaffinity(0))  # processors this process may run on, as OpenMP counts them
    for requested in ("40000", "100000", "2147483647", "99999999999999999999"):
        out = fresh(f"threads_{requested}")
        text, errors = run(SOURCE, RIGHT, "-o", out, "--threads", requested)
        check(errors == f"scipar-match: warning: --threads {requested} is more than this machine allows "
                        f"({maximum}, 4 per processor): using {maximum}\n", f"--threads {requested}: stderr {errors!r}")
        used = int(re.search(r"(\d+) threads", text).group(1))
        check(1 <= used <= maximum, f"--threads {requested}: {used} threads used")
        compare_with_filter(out, SOURCE, RIGHT, NumberOfThreads=1)

    # A cluster array with another name, on both sides, options before the files.
    renamed = {}
    for name, path in (("source", SOURCE), ("target", TARGET)):
        data = read_xml(path)
        data.GetPointData().GetArray("ClusterId").SetName("label_" + name)
        renamed[name] = os.path.join(WORK, f"renamed_{name}.vtp")
        write_vtp(data, renamed[name])
    out = fresh("renamed")
    run("--source-array", "label_source", "--target-array", "label_target", "-o", out,
        renamed["source"], renamed["target"])
    header, rows = read_pairs_csv(os.path.join(out, "pairs.csv"))
    seed_out = fresh("renamed_reference")
    run(SOURCE, TARGET, "-o", seed_out)
    reference = read_pairs_csv(os.path.join(seed_out, "pairs.csv"))
    check((header, rows) == reference, "renamed id arrays give other pairs than ClusterId")
    source = arrays(read_xml(os.path.join(out, "source.vtu")).GetPointData())
    check("label_source" in source and np.array_equal(source["label_source"], source["ClusterId"]),
          "source.vtu should keep the input id array and copy it to ClusterId")


def write_vtp(data, path):
    writer = vtkXMLPolyDataWriter()
    writer.SetInputData(data)
    writer.SetFileName(path)
    writer.SetDataModeToBinary()
    check(writer.Write() == 1, f"cannot write {path}")


def cloud(points, ids, name="ClusterId"):
    data = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=True))
    data.SetPoints(vtk_points)
    array = numpy_to_vtk(np.ascontiguousarray(ids, dtype=np.int64), deep=True)
    array.SetName(name)
    data.GetPointData().AddArray(array)
    return data


def test_csv():
    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 60, (12, 3))
    sizes = rng.integers(1, 30, 12)
    source_points = np.concatenate([c + rng.normal(0, 1.0, (s, 3)) for c, s in zip(centres, sizes)])
    source_ids = np.repeat(np.arange(12) * 10 - 30, sizes)          # sparse, negative
    moved = source_points + np.repeat(rng.normal(0, 0.5, (12, 3)), sizes, axis=0)
    order = rng.permutation(len(moved))                            # shuffled points
    target_points, target_ids = moved[order], (np.repeat(np.arange(12), sizes) * 7 + 1000)[order]

    source_csv = os.path.join(WORK, "source.csv")
    with open(source_csv, "w", newline="") as handle:               # CRLF, quoted header, spaces
        handle.write('\ufeff"x", "y" ,z,label,mass\r\n')
        # tolist(): Python floats, whose repr is the shortest exact text in every NumPy (NumPy 2's
        # repr of its own scalars is np.float64(...)).
        for p, i in zip(source_points.tolist(), source_ids.tolist()):
            handle.write(f"{p[0]!r}, {p[1]!r},{p[2]!r},{i},1.5\r\n")
        handle.write("\r\n")
    target_csv = os.path.join(WORK, "target.csv")
    with open(target_csv, "w") as handle:                           # ParaView's names, float ids
        handle.write('"cid","Points:0","Points:1","Points:2"\n')
        for p, i in zip(target_points.tolist(), target_ids.tolist()):
            handle.write(f"{float(i)!r},{p[0]!r},{p[1]!r},{p[2]!r}\n")

    out = fresh("csv")
    text, errors = run(source_csv, target_csv, "-o", out, "--source-array", "label", "--target-array", "cid")
    check(f"{len(source_points)} points in 12 clusters" in text, f"summary: {text}")
    check(errors == "", f"unexpected messages on stderr: {errors}")
    for name in OUTPUTS:
        check(os.path.getsize(os.path.join(out, name)) > 0, f"{name} missing or empty")

    # The same clouds as .vtp files: the same results from the filter.
    source_vtp, target_vtp = os.path.join(WORK, "csv_source.vtp"), os.path.join(WORK, "csv_target.vtp")
    write_vtp(cloud(source_points, source_ids, "label"), source_vtp)
    write_vtp(cloud(target_points, target_ids, "cid"), target_vtp)
    grids, header, rows = compare_with_filter(out, source_vtp, target_vtp,
                                              SourceClusterArray=["POINTS", "label"],
                                              TargetClusterArray=["POINTS", "cid"])
    truth = {s: t for s, t in zip(np.repeat(np.arange(12) * 10 - 30, sizes), np.repeat(np.arange(12), sizes) * 7 + 1000)}
    for row in rows:
        source, target = int(row[0]), int(row[1])
        check(truth[source] == target, f"pair {source} -> {target}, expected {truth[source]}")
    check(len(rows) == 12, f"{len(rows)} pairs, expected 12")


def test_errors():
    out = os.path.join(WORK, "out")
    os.makedirs(WORK, exist_ok=True)

    def write(name, text):
        path = os.path.join(WORK, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def expect(status, pattern, *args):
        _, errors = run(*args, expect=status)
        check(errors.startswith("scipar-match: error: "), f"{args}: message does not start as expected: {errors}")
        check(re.search(pattern, errors), f"{args}: message {errors!r} does not match {pattern!r}")
        check("ERR|" not in errors and "vtkExecutive" not in errors, f"{args}: raw VTK output leaked: {errors}")

    missing = os.path.join(WORK, "missing.vtp")
    expect(1, r"missing\.vtp: no such file \(the source cloud\)", missing, TARGET, "-o", out)
    expect(1, r"missing\.vtp: no such file \(the target cloud\)", SOURCE, missing, "-o", out)
    expect(1, r"notes\.txt: unknown file type '\.txt'; give a \.vtp, \.vtu or \.csv file",
           write("notes.txt", "hello\n"), TARGET, "-o", out)
    expect(1, r"no point-data array named 'Nope'.*its point arrays: ClusterId.*--source-array",
           SOURCE, TARGET, "-o", out, "--source-array", "Nope")
    expect(1, r"seed_left_next\.vtp: no point-data array named 'Gone'.*TrueClusterId.*--target-array",
           SOURCE, TARGET, "-o", out, "--target-array", "Gone")
    broken = write("broken.vtp", '<?xml version="1.0"?>\n<VTKFile type="PolyData"><PolyData>')
    expect(1, r"broken\.vtp: cannot read it as VTK XML polydata", broken, TARGET, "-o", out)
    # The advice about the appended data mode only where that mode can be the cause: a file in that
    # mode, read by a VTK older than 9.3.
    _, errors = run(broken, TARGET, "-o", out, expect=1)
    check("appended" not in errors, f"a file without appended data gets the appended-mode advice: {errors}")
    appended = os.path.join(WORK, "appended.vtp")
    writer = vtkXMLPolyDataWriter()
    writer.SetInputData(read_xml(SOURCE))
    writer.SetFileName(appended)
    writer.SetDataModeToAppended()
    check(writer.Write() == 1, "cannot write appended.vtp")
    with open(appended, "rb") as handle:
        whole = handle.read()
    with open(appended, "wb") as handle:
        handle.write(whole[:len(whole) - 2000])  # the end of the appended data and the closing tags lost
    _, errors = run(appended, TARGET, "-o", out, expect=1)
    check(errors.startswith("scipar-match: error: ") and "appended.vtp: cannot read it as VTK XML polydata" in errors,
          f"truncated appended file: {errors}")
    check(bool(re.search(APPENDED_HINT, errors)) != READS_APPENDED_ALWAYS,
          f"VTK {vtkVersion.GetVTKVersion()}: the appended-mode advice is "
          f"{'given' if READS_APPENDED_ALWAYS else 'missing'} for a file in that mode: {errors}")

    # A damaged file on which VTK's own XML reader crashes (a field-data array of type "Int42", one
    # of the mutations that crash it): read in a child process first, it is an error, not a crash.
    crash_out = fresh("crash_source")
    run(SOURCE, TARGET, "-o", crash_out)
    with open(os.path.join(crash_out, "source.vtu"), "rb") as handle:
        whole = handle.read()
    damaged = whole.replace(b'type="Int32" Name="SquaredDistances"', b'type="Int42" Name="SquaredDistances"')
    check(damaged != whole, "source.vtu has no SquaredDistances field array to damage")
    damaged_path = os.path.join(WORK, "damaged.vtu")
    with open(damaged_path, "wb") as handle:
        handle.write(damaged)
    expect(1, r"damaged\.vtu: cannot read it as VTK XML unstructured grid: VTK's XML reader crashed "
              r"\(Segmentation fault\) on this file: it is damaged, or not a VTK XML file", damaged_path, TARGET, "-o", out)

    # Non-integral ids in a VTK file (a float array holding 0.5): the filter's message.
    data = read_xml(SOURCE)
    halves = vtkFloatArray()
    halves.SetName("half")
    halves.SetNumberOfTuples(data.GetNumberOfPoints())
    halves.Fill(0.5)
    data.GetPointData().AddArray(halves)
    half_vtp = os.path.join(WORK, "half.vtp")
    write_vtp(data, half_vtp)
    expect(1, r"Source cluster array 'half': value 0\.5 at point 0 is not an integer.*half\.vtp",
           half_vtp, TARGET, "-o", out, "--source-array", "half")

    header = "x,y,z,ClusterId\n"
    csv_cases = [
        ("empty.csv", "", r"empty\.csv: the file is empty; expected a header row"),
        ("header_only.csv", header, r"header_only\.csv: no data rows after the header"),
        ("no_column.csv", "x,y,z,label\n1,2,3,4\n", r"no_column\.csv:1: header: no column named 'ClusterId'.*x, y, z, label"),
        ("no_z.csv", "x,y,ClusterId\n1,2,3\n", r"no_z\.csv:1: header: no 'z' column"),
        ("fraction.csv", header + "1,2,3,4\n1,2,3,2.5\n",
         r"fraction\.csv:3: column 4 \(ClusterId\): '2\.5' is not an integral cluster id"),
        ("word_id.csv", header + "1,2,3,abc\n", r"word_id\.csv:2: column 4 \(ClusterId\): 'abc' is not an integral"),
        ("empty_id.csv", header + "1,2,3,\n", r"empty_id\.csv:2: column 4 \(ClusterId\): '' is not an integral"),
        ("ragged.csv", header + "1,2,3,4\n\n1,2,3\n", r"ragged\.csv:4: 3 fields, but the header has 4 columns"),
        ("word_xyz.csv", header + "1,two,3,4\n", r"word_xyz\.csv:2: column 2 \(y\): 'two' is not a number"),
        ("nan.csv", header + "1,2,nan,4\n", r"nan\.csv:2: column 3 \(z\): 'nan' is not a finite number"),
        ("duplicate.csv", "x,y,z,x,ClusterId\n1,2,3,4,5\n", r"duplicate\.csv:1: header: columns 1 and 4 are both named 'x'"),
        ("quote.csv", 'x,y,z,"ClusterId\n1,2,3,4\n', r"quote\.csv:1: header: field 4 .*unbalanced double quotes"),
        ("huge.csv", header + "1,2,3,99999999999999999999\n", r"huge\.csv:2: column 4 \(ClusterId\): '99999999999999999999' is out of range"),
        ("overflow.csv", header + "1,1e999,3,4\n", r"overflow\.csv:2: column 2 \(y\): '1e999' is out of range"),
        ("hex.csv", header + "1,2,0x1p3,4\n", r"hex\.csv:2: column 3 \(z\): '0x1p3' is a hexadecimal number"),
        ("hex_id.csv", header + "1,2,3,0x1A\n", r"hex_id\.csv:2: column 4 \(ClusterId\): '0x1A' is a hexadecimal number"),
        ("nul.csv", header + "1,2,3,4\n1,2\x003,3,4\n", r"nul\.csv:3: column 2 \(y\): a NUL byte"),
        ("nul_header.csv", "x,y\x00,z,ClusterId\n1,2,3,4\n", r"nul_header\.csv:1: column 2: a NUL byte"),
    ]
    for name, text, pattern in csv_cases:
        expect(1, pattern, write(name, text), TARGET, "-o", out)
    # A line far longer than any row of points: refused as such after reading its first megabyte,
    # not read whole (a 2 GB line gave std::bad_alloc or "read error after line 1").
    long_line = write("long_line.csv", header + "1,2,3,4\n" + "7" * (5 << 20) + ",1,2,3\n1,2,3,4\n")
    expect(1, r"long_line\.csv:3: the line is longer than 1048576 bytes", long_line, TARGET, "-o", out)
    no_newline = write("no_newline.csv", "x" * (5 << 20))
    expect(1, r"no_newline\.csv:1: the line is longer than 1048576 bytes", no_newline, TARGET, "-o", out)
    expect(1, r"no_column\.csv.*--target-array", SOURCE, os.path.join(WORK, "no_column.csv"), "-o", out)

    # The output directory cannot be a file.
    expect(1, r"exists and is not a directory", SOURCE, TARGET, "-o", write("a_file", "x"))

    usage = [
        ([SOURCE, TARGET, "-o", out, "--metric", "Median"], r"--metric: unknown metric 'Median'; choose Max, Sum, Mean or Hausdorff"),
        ([SOURCE, TARGET, "-o", out, "--metric"], r"option --metric needs a value"),
        ([SOURCE, TARGET, "-o", out, "--threads", "-1"], r"--threads: '-1' is not a whole number"),
        ([SOURCE, TARGET, "-o", out, "--threads", "+4"], r"--threads: '\+4' is not a whole number"),
        ([SOURCE, TARGET, "-o", out, "--threads", ""], r"--threads: '' is not a whole number"),
        ([SOURCE, TARGET, "-o", out, "--threads", "two"], r"--threads: 'two' is not a whole number"),
        ([SOURCE, TARGET, "-o", out, "--threads=1.5"], r"--threads: '1\.5' is not a whole number"),
        ([SOURCE, TARGET, "-o", out, "--max-distance", "-1"], r"--max-distance: '-1' is not a finite number >= 0"),
        ([SOURCE, TARGET, "-o", out, "--max-distance", "inf"], r"--max-distance: 'inf' is not a finite number"),
        ([SOURCE, TARGET, "-o", out, "--max-distance", "nan"], r"--max-distance: 'nan'"),
        ([SOURCE, TARGET, "-o", out, "--bogus"], r"unknown option '--bogus'"),
        ([SOURCE, TARGET, "-o", out, "--source-array="], r"option --source-array needs an array name"),
        ([SOURCE, TARGET], r"give an output directory with -o OUTDIR"),
        ([SOURCE, "-o", out], r"give two input files, SOURCE and TARGET"),
        ([SOURCE, TARGET, RIGHT, "-o", out], r"too many arguments: '.*seed_right\.vtp'"),
        ([], r"give two input files"),
    ]
    for args, pattern in usage:
        expect(2, pattern, *args)
        _, errors = run(*args, expect=2)
        check("Try 'scipar-match --help'" in errors, f"{args}: no pointer to --help")


def snapshot_files(directory):
    """name -> bytes of every file in a directory (hidden ones too)."""
    return {name: open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory))
            if os.path.isfile(os.path.join(directory, name))}


def test_outputs():
    """An output never replaces an input, whatever the path spelling; outputs are replaced all at
    once or not at all; write failures and a full standard output are reported clearly."""
    base = fresh("outputs")
    data = os.path.join(base, "data")
    os.makedirs(data)
    # Inputs named as the outputs: the same directory, spelled three ways, a symbolic link to it,
    # and a hard link.
    for name, path in (("source.vtu", SOURCE), ("target.vtu", TARGET)):
        with open(path, "rb") as handle, open(os.path.join(data, name), "wb") as copy:
            copy.write(handle.read())
    os.symlink(data, os.path.join(base, "link"))
    hard = os.path.join(base, "hard")
    os.makedirs(hard)
    os.link(os.path.join(data, "target.vtu"), os.path.join(hard, "target.vtu"))
    # They hold polydata: the CLI reads them through .vtp symbolic links.
    source_in, target_in = (os.path.join(data, name + ".vtp") for name in ("source.vtu", "target.vtu"))
    os.symlink("source.vtu", source_in)
    os.symlink("target.vtu", target_in)
    before = snapshot_files(data)
    for out, role in ((data, "source"), (data + "/./", "source"), (os.path.join(base, "link"), "source"),
                      (os.path.join(base, "..", os.path.basename(base), "data"), "source"), (hard, "target")):
        _, errors = run(source_in, target_in, "-o", out, expect=2)
        check(f"would replace the {role} input" in errors and "choose another output directory" in errors,
              f"-o {out}: {errors}")
    check(snapshot_files(data) == before, "an input was modified")
    check(sorted(os.listdir(hard)) == ["target.vtu"], f"files appeared in {hard}: {os.listdir(hard)}")

    # A first run, then a second that cannot write (file size limit): the first run's outputs stay
    # whole, and no temporary file is left.
    out = os.path.join(base, "out")
    run(SOURCE, RIGHT, "-o", out)
    first = snapshot_files(out)
    check(sorted(first) == sorted(OUTPUTS), f"outputs: {sorted(first)}")

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20 * 1024, resource.RLIM_INFINITY))
    result = subprocess.run([EXE, SOURCE, RIGHT, "-o", out, "--metric", "Sum"], capture_output=True, text=True,
                            timeout=120, preexec_fn=limit_file_size)
    check(result.returncode == 1 and result.stderr.startswith("scipar-match: error: ") and
          "source.vtu: cannot write: File too large" in result.stderr,
          f"file size limit: status {result.returncode}, {result.stderr!r}")
    check("vtkExecutive" not in result.stderr and "Debug: Off" not in result.stderr, f"raw VTK output: {result.stderr}")
    check(snapshot_files(out) == first, "a failed run changed or left files in the output directory")

    # New files get the permissions any new file gets (here umask 022: rw-r--r--).
    fresh_out = fresh("outputs_mode")
    subprocess.run([EXE, SOURCE, RIGHT, "-o", fresh_out], check=True, capture_output=True,
                   preexec_fn=lambda: os.umask(0o022))
    modes = {name: oct(os.stat(os.path.join(fresh_out, name)).st_mode & 0o777) for name in OUTPUTS}
    check(set(modes.values()) == {"0o644"}, f"output permissions: {modes}")

    # An output that is a symbolic link (here to /dev/full) is replaced by the new file.
    os.remove(os.path.join(out, "source.vtu"))
    os.symlink("/dev/full", os.path.join(out, "source.vtu"))
    run(SOURCE, RIGHT, "-o", out)
    check(not os.path.islink(os.path.join(out, "source.vtu")) and read_xml(os.path.join(out, "source.vtu")),
          "the symbolic link should have been replaced by the output")

    # The summary to a full device: said, and exit 1.
    with open("/dev/full", "w") as full:
        result = subprocess.run([EXE, SOURCE, RIGHT, "-o", out], stdout=full, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    check(result.returncode == 1 and
          result.stderr == "scipar-match: error: cannot write to the standard output: No space left on device\n",
          f"standard output on /dev/full: status {result.returncode}, {result.stderr!r}")
    with open("/dev/full", "w") as full:
        result = subprocess.run([EXE, "--help"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    check(result.returncode == 1 and "cannot write to the standard output" in result.stderr,
          f"--help on /dev/full: status {result.returncode}, {result.stderr!r}")


# Debian trixie's Open MPI 5 links UCX, whose library logs its own failed allocations
# ("[host:pid:thread] mmap(...) failed: Cannot allocate memory") when the address space is tight.
UCX_LOG_LINE = re.compile(r"^\[[^\]\s]+:\s*\d+\s*:\d+:\s*\d+\] ")


def run_limited(limit, *args):
    """Runs scipar-match with its address space limited to `limit` bytes: (status, stderr without
    the MPI runtime's own log lines)."""
    def limit_address_space():
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    result = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=120,
                            preexec_fn=limit_address_space)
    errors = "".join(line for line in result.stderr.splitlines(True) if not UCX_LOG_LINE.match(line))
    return result.returncode, errors


def least_limit(works, low, high):
    """The least limit (to 1 MB) in (low, high] for which works(limit) holds, works(high) being true."""
    while high - low > MB:
        middle = (low + high) // 2
        low, high = (low, middle) if works(middle) else (middle, high)
    return high


def test_out_of_memory():
    """With the address space limited anywhere between what the program needs to start and what the
    match needs, every run either succeeds or exits 1 with an out-of-memory message: never a crash."""
    rng = np.random.default_rng(3)
    n, k = 200_000, 400
    centres = rng.uniform(0, 1000, (k, 3))
    ids = rng.integers(0, k, n)
    points = centres[ids] + rng.normal(0, 2, (n, 3))
    files = []
    for name, xyz, labels in (("oom_source.csv", points, ids), ("oom_target.csv", points + 0.5, ids * 3 + 1)):
        files.append(os.path.join(WORK, name))
        with open(files[-1], "w") as handle:
            handle.write("x,y,z,ClusterId\n")
            np.savetxt(handle, np.column_stack([xyz, labels]), fmt=["%.17g"] * 3 + ["%d"], delimiter=",")
    out = fresh("oom")
    args = (*files, "-o", out, "--threads", "1")
    start = least_limit(lambda limit: run_limited(limit, "--version")[0] == 0, 0, 1024 * MB)
    enough = least_limit(lambda limit: run_limited(limit, *args)[0] == 0, start, 1024 * MB)
    outcomes = {"out of memory": 0, "ok": 0}
    for limit in range(start, enough, MB):
        status, errors = run_limited(limit, *args)
        check(status in (0, 1), f"limit {limit / MB:.0f} MB: exit status {status}: {errors[-300:]}")
        check(status == 0 or (errors.startswith("scipar-match: error: ") and "out of memory" in errors),
              f"limit {limit / MB:.0f} MB: {errors[-300:]}")
        outcomes["ok" if status == 0 else "out of memory"] += 1
    check(outcomes["out of memory"] > 10, f"the sweep saw too few failures: {outcomes}")
    print(f"out_of_memory: starts from {start / MB:.0f} MB, matches from {enough / MB:.0f} MB; between: {outcomes}")


def test_appended():
    reference = fresh("appended_reference")
    run(SOURCE, TARGET, "-o", reference)
    expected = read_pairs_csv(os.path.join(reference, "pairs.csv"))
    for encoding in ("raw", "base64"):
        paths = []
        for name, path in (("source", SOURCE), ("target", TARGET)):
            paths.append(os.path.join(WORK, f"{name}_appended_{encoding}.vtp"))
            writer = vtkXMLPolyDataWriter()
            writer.SetInputData(read_xml(path))
            writer.SetFileName(paths[-1])
            writer.SetDataModeToAppended()
            writer.SetEncodeAppendedData(encoding == "base64")
            check(writer.Write() == 1, f"cannot write {paths[-1]}")
        # Whether this VTK, with this machine's expat (scipar-match's too), reads the mode back.
        reader = vtkXMLPolyDataReader()
        reader.SetFileName(paths[0])
        vtkObject.GlobalWarningDisplayOff()
        reader.Update()
        vtkObject.GlobalWarningDisplayOn()
        readable = reader.GetOutput().GetNumberOfPoints() == read_xml(SOURCE).GetNumberOfPoints()
        check(readable or not READS_APPENDED_ALWAYS,
              f"VTK {vtkVersion.GetVTKVersion()} does not read back {encoding} appended data")
        out = fresh(f"appended_{encoding}")
        if readable:
            run(*paths, "-o", out)
            check(read_pairs_csv(os.path.join(out, "pairs.csv")) == expected,
                  f"{encoding} appended inputs give other pairs than inline binary ones")
        else:
            _, errors = run(*paths, "-o", out, expect=1)
            check(re.search(rf"source_appended_{encoding}\.vtp: cannot read it as VTK XML polydata: .*{APPENDED_HINT}",
                            errors), f"{encoding} appended inputs: unexpected message {errors!r}")


def main():
    os.makedirs(WORK, exist_ok=True)
    tests = {"help": test_help, "data_files": test_data_files, "options": test_options, "csv": test_csv,
             "errors": test_errors, "out_of_memory": test_out_of_memory, "outputs": test_outputs,
             "appended": test_appended}
    try:
        tests[MODE]()
    except Failure as failure:
        print(f"FAILED cli.{MODE}: {failure}")
        sys.exit(1)
    print(f"cli.{MODE}: passed")


if __name__ == "__main__":
    main()
