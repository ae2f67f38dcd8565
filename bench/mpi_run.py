"""The benchmark's MPI runs of the plugin.

    pvpython mpi_run.py write WORKLOAD DIR                   # the clouds as two-piece .pvtp files
    mpiexec -n N pvbatch mpi_run.py match PLUGIN DIR REPEATS [new|again]  # the median seconds of the filter
    python3 mpi_run.py pieces WORKLOAD DIR P                 # P raw pieces per cloud, for scipar_mpi_bench
    python3 mpi_run.py scaling BUILD OUT [BASELINE_BUILD]     # weak and strong series on 1 to 128 ranks
    python3 mpi_run.py scaling-report OUT                     # their table and plot again, from OUT's JSON
    python3 mpi_run.py speedup BUILD WORKLOAD DIR PAIRS       # 2 ranks against 1, interleaved runs
    python3 mpi_run.py filter-speedup BUILD WORKLOAD DIR PAIRS  # the same through the plugin under pvbatch

Pieces are split at the median x (P pieces: at the x quantiles), as a spatial partitioner would; with
N ranks each reads its pieces. Only the filter's update is timed, after the readers have run.

The scaling series run the core alone (scipar_mpi_bench) on 1, 2, 4, ..., 128 ranks, more ranks
than cores: what is measured per rank is bytes and messages sent and received, collective calls and
peak memory, not time. Weak: 100,000 points in 1,000 clusters per rank and cloud, each rank a cell of
a 3-D grid (or, "weak, slabs", a slab along x: interior ranks have two cut faces at every size);
strong: 1,000,000 points in 10,000 clusters per cloud in all. They write OUT/mpi_scaling.json, .md and .png; a
BASELINE_BUILD (an older build's scipar_mpi_bench) adds its figures to the plot for comparison. Bytes
per cut face divide a rank's bytes by the faces its cell shares with other cells (1 for each rank of
2, up to 6 inside a 3-D grid): the boundary a rank exchanges grows with them, not with the ranks.
Oversubscribed ranks are told to yield the processor while they wait (mpi_yield_when_idle).

The speedup runs alternate scipar_match on one rank (the whole clouds) and scipar_match_distributed
on two ranks (split at the median x), one thread each, PAIRS times; each run reports the median of 5
calls after a first one (the slowest rank's, ranks synchronised before each call), and that first
call's time apart (fresh processes: every page the call touches is new to them, as in a pipeline's
single update). filter-speedup does the same through the plugin: `mpiexec -n 1|2 pvbatch` on the
clouds written as two-piece .pvtp files (written into DIR when missing), each run the median of 7
updates of the filter alone, in two patterns: a new filter at each update (deleted after it), and
one filter that a property change executes again (as in the GUI). Which pages the memory allocator
hands back to the kernel between updates differs between them, and so does the time. Both print each pair's times and ratio (speedup also the page faults of
a later call: the memory allocator hands some ranks fresh pages at every call, about 1.5 us each
here), the medians of both, and the load average before and after.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def write(name, directory):
    import clouds
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter
    a, a_ids, b, b_ids = clouds.workload(name)
    for cloud, (points, ids) in (("source", (a, a_ids)), ("target", (b, b_ids))):
        halves = points[:, 0] <= np.median(points[:, 0])
        pieces = []
        for piece, mask in enumerate((halves, ~halves)):
            data = vtkPolyData()
            vtk_points = vtkPoints()
            vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points[mask]), deep=1))
            data.SetPoints(vtk_points)
            labels = numpy_to_vtk(np.ascontiguousarray(ids[mask]), deep=1)
            labels.SetName("ClusterId")
            data.GetPointData().AddArray(labels)
            writer = vtkXMLPolyDataWriter()
            pieces.append(f"{cloud}_{piece}.vtp")
            writer.SetFileName(os.path.join(directory, pieces[-1]))
            writer.SetInputData(data)
            writer.SetDataModeToBinary()  # appended mode does not read back with this ParaView
            writer.Write()
        with open(os.path.join(directory, f"{cloud}.pvtp"), "w") as out:
            out.write('<?xml version="1.0"?>\n<VTKFile type="PPolyData" version="1.0" byte_order="LittleEndian" '
                      'header_type="UInt64">\n<PPolyData GhostLevel="0">\n'
                      '<PPointData><PDataArray type="Int64" Name="ClusterId"/></PPointData>\n'
                      '<PPoints><PDataArray type="Float64" Name="Points" NumberOfComponents="3"/></PPoints>\n')
            out.writelines(f'<Piece Source="{piece}"/>\n' for piece in pieces)
            out.write("</PPolyData>\n</VTKFile>\n")


def pieces(name, directory, count):
    """Raw pieces for scipar_mpi_bench: DIR/source_<r>.bin and target_<r>.bin, an int64 n, n x y z
    doubles, n int64 labels; piece r holds the points between the x quantiles r / P and (r + 1) / P."""
    import clouds
    a, a_ids, b, b_ids = clouds.workload(name)
    for cloud, (points, ids) in (("source", (a, a_ids)), ("target", (b, b_ids))):
        cuts = np.quantile(points[:, 0], np.linspace(0, 1, count + 1)[1:-1])
        piece = np.searchsorted(cuts, points[:, 0], side="left")
        for r in range(count):
            mask = piece == r
            with open(os.path.join(directory, f"{cloud}_{r}.bin"), "wb") as out:
                out.write(np.int64(mask.sum()).tobytes())
                out.write(np.ascontiguousarray(points[mask], dtype=np.float64).tobytes())
                out.write(np.ascontiguousarray(ids[mask], dtype=np.int64).tobytes())


# name: (scipar_mpi_bench mode, points, clusters, options)
SERIES = {"weak": ("weak", 100_000, 1_000, []), "weak, slabs": ("weak", 100_000, 1_000, ["--slabs"]),
          "strong": ("strong", 1_000_000, 10_000, [])}
RANKS = (1, 2, 4, 8, 16, 32, 64, 128)


def mpi_environment():
    """mpiexec's environment: without a parent's Open MPI variables (pvpython starts MPI as a singleton,
    whose variables would make mpiexec's children join it), as root if need be, one thread per rank."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("OMPI_", "PMIX_", "OPAL_"))}
    environment.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    return environment


def mpiexec(ranks):
    """The launcher for `ranks` ranks on this machine: oversubscribed, waiting ranks yield the processor."""
    return ["mpiexec", "-n", str(ranks), "--oversubscribe", "--mca", "mpi_yield_when_idle", "1"]


def run_bench(build, ranks, arguments):
    out = subprocess.run(mpiexec(ranks) + [os.path.join(build, "bin", "scipar_mpi_bench")] + arguments,
                         check=True, env=mpi_environment(), capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def scaling_runs(build, names=tuple(SERIES)):
    runs = {}
    for name in names:
        mode, n, k, options = SERIES[name]
        runs[name] = [run_bench(build, ranks, [mode, str(n), str(k), "--repeats", "0"] + options) for ranks in RANKS]
    return runs


def scaling_table(runs):
    lines = ["| series | ranks | points per rank | cut faces per rank (mean) | bytes received per rank (median, max) | "
             "per cut face (median) | of which claims (median) | bytes sent, max | messages sent, max | "
             "collective calls | peak memory per rank (median, max) | memory per point |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, records in runs.items():
        for r in records:
            points = statistics.median(r["local_points"])
            memory = statistics.median(r["peak_bytes"])
            faces = per_face(r)
            lines.append(
                f"| {name} | {r['ranks']} | {points:,.0f} | {statistics.mean(cut_faces(r)):.2f} | "
                f"{statistics.median(r['bytes_received']) / 1e6:.2f} MB, "
                f"{max(r['bytes_received']) / 1e6:.2f} MB | "
                f"{statistics.median(faces) / 1e3 if faces else 0:.0f} kB | "
                f"{statistics.median(r['exchange_0']) / 1e3:.0f} kB | {max(r['bytes_sent']) / 1e6:.2f} MB | "
                f"{max(r['messages_sent']):.0f} | {max(r['collectives']):.0f} | {memory / 1e6:.0f} MB, "
                f"{max(r['peak_bytes']) / 1e6:.0f} MB | {memory / points:.0f} B |")
    return "\n".join(lines) + "\n"


def cut_faces(record):
    """For each rank, how many faces of its cell it shares with another rank's cell (the bench's grid)."""
    g = record["grid"]
    faces = []
    for rank in range(record["ranks"]):
        cell = (rank % g[0], rank // g[0] % g[1], rank // (g[0] * g[1]))
        faces.append(sum((cell[d] > 0) + (cell[d] < g[d] - 1) for d in range(3)))
    return faces


def per_face(record):
    """Bytes each rank received per cut face of its cell, for the ranks with any."""
    return [b / f for b, f in zip(record["bytes_received"], cut_faces(record)) if f > 0]


def scaling_plot(runs, baseline, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, 4, figsize=(17, 4))
    for name, style in (("weak", "o-"), ("weak, slabs", "^-"), ("strong", "s-")):
        many = [r for r in runs[name] if r["ranks"] > 1]  # one rank sends nothing
        for axis, key, scale in ((axes[0], "bytes_received", 1e6), (axes[2], "peak_bytes", 1e6),
                                 (axes[3], "messages_sent", 1)):
            records = runs[name] if key == "peak_bytes" else many
            ranks = [r["ranks"] for r in records]
            axis.plot(ranks, [statistics.median(r[key]) / scale for r in records], style, label=f"{name}, median")
            axis.plot(ranks, [max(r[key]) / scale for r in records], style, alpha=0.4, label=f"{name}, max")
            if baseline and name in baseline and key != "messages_sent":
                axis.plot(ranks, [max(r[key]) / scale for r in baseline[name] if r["ranks"] in ranks],
                          style.replace("-", ":"), color="grey", label=f"{name}, baseline, max")
        axes[1].plot([r["ranks"] for r in many], [statistics.median(per_face(r)) / 1e3 for r in many], style,
                     label=f"{name}, median")
        axes[1].plot([r["ranks"] for r in many], [max(per_face(r)) / 1e3 for r in many], style, alpha=0.4,
                     label=f"{name}, max")
    for axis, title in zip(axes, ("bytes received per rank (MB)", "bytes received per cut face of a rank's cell (kB)",
                                  "peak memory per rank (MB)", "messages sent per rank")):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xlabel("ranks")
        axis.set_title(title, fontsize=9)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    figure.suptitle("scipar_match_distributed per rank (19 collective calls at every size); weak: 100k points and "
                    "1,000 clusters per rank and cloud (slabs: P x 1 x 1 cells); strong: 1M points, 10k clusters "
                    "per cloud", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def scaling(build, out, baseline_build=None):
    os.makedirs(out, exist_ok=True)
    runs = scaling_runs(build)
    # An older build's bench may not know --slabs: its figures are the 3-D grid's.
    baseline = scaling_runs(baseline_build, ("weak", "strong")) if baseline_build else None
    with open(os.path.join(out, "mpi_scaling.json"), "w") as file:
        json.dump({"runs": runs, "baseline": baseline}, file, indent=1)
    scaling_report(out)


def scaling_report(out):
    """The table and the plot from OUT/mpi_scaling.json."""
    with open(os.path.join(out, "mpi_scaling.json")) as file:
        data = json.load(file)
    text = scaling_table(data["runs"])
    with open(os.path.join(out, "mpi_scaling.md"), "w") as file:
        file.write(text)
    scaling_plot(data["runs"], data.get("baseline"), os.path.join(out, "mpi_scaling.png"))
    print(text)


def speedup(build, name, directory, pairs):
    for count in (1, 2):
        os.makedirs(os.path.join(directory, str(count)), exist_ok=True)
        pieces(name, os.path.join(directory, str(count)), count)
    print("load average", os.getloadavg(), flush=True)
    ones, twos = [], []
    for i in range(pairs):
        ones.append(run_bench(build, 1, ["pieces", os.path.join(directory, "1"), "--repeats", "5", "--serial"]))
        twos.append(run_bench(build, 2, ["pieces", os.path.join(directory, "2"), "--repeats", "5"]))
        print(f"pair {i}: 1 rank {ones[-1]['seconds']:.4f} s, 2 ranks {twos[-1]['seconds']:.4f} s, "
              f"{ones[-1]['seconds'] / twos[-1]['seconds']:.2f}x; first calls {ones[-1]['first_seconds']:.4f} s and "
              f"{twos[-1]['first_seconds']:.4f} s; page faults per later call {ones[-1]['faults'][0]:,.0f} and "
              f"{max(twos[-1]['faults']):,.0f} (busier rank)", flush=True)
    for key, what in (("seconds", "median of 5 calls"), ("first_seconds", "first call, fresh processes")):
        one, two = [r[key] for r in ones], [r[key] for r in twos]
        ratios = [a / b for a, b in zip(one, two)]
        print(f"{name}, {what}: 1 rank {statistics.median(one):.4f} s, 2 ranks {statistics.median(two):.4f} s, "
              f"speed-up {statistics.median(ratios):.2f}x (median of {pairs} pairs; {min(ratios):.2f}x to "
              f"{max(ratios):.2f}x)")
    print("load average", os.getloadavg())


# How the filter updates: a new filter each time (a script building its pipeline again), or one filter
# that a property change makes execute again (the GUI, or a script stepping through a series).
PATTERNS = {"new": "a new filter each update", "again": "one filter executed again"}


def pvbatch_match(plugin, directory, ranks, repeats, pattern):
    """The median seconds of the filter's update under `mpiexec -n ranks pvbatch`, one thread a rank."""
    out = subprocess.run(["mpiexec", "-n", str(ranks), "pvbatch", os.path.abspath(__file__), "match", plugin, directory,
                          str(repeats), pattern], check=True, env=mpi_environment(), capture_output=True,
                         text=True).stdout
    return float(out.strip().splitlines()[-1])


def filter_speedup(build, name, directory, pairs, repeats=7):
    """The plugin under pvbatch on 1 and 2 ranks, interleaved `pairs` times (the host's load moves
    between runs: a pair's runs meet the same), each run the median of `repeats` updates after the
    readers have run, in both update patterns. Returns, per pattern, the medians of both and of the
    pairs' ratios, and their range."""
    plugin = os.path.join(build, "lib", "paraview-plugins", "Scipar", "Scipar.so")
    if not os.path.exists(os.path.join(directory, "target.pvtp")):
        os.makedirs(directory, exist_ok=True)
        subprocess.run(["pvpython", os.path.abspath(__file__), "write", name, directory], check=True,
                       env=mpi_environment(), capture_output=True)
    runs = {pattern: ([], []) for pattern in PATTERNS}
    for i in range(pairs):
        for pattern, (ones, twos) in runs.items():
            ones.append(pvbatch_match(plugin, directory, 1, repeats, pattern))
            twos.append(pvbatch_match(plugin, directory, 2, repeats, pattern))
            print(f"pair {i}, {PATTERNS[pattern]}: 1 rank {ones[-1]:.4f} s, 2 ranks {twos[-1]:.4f} s, "
                  f"{ones[-1] / twos[-1]:.2f}x", flush=True)
    result = {}
    for pattern, (ones, twos) in runs.items():
        ratios = [a / b for a, b in zip(ones, twos)]
        result[pattern] = {"1": statistics.median(ones), "2": statistics.median(twos),
                           "speedup": statistics.median(ratios), "least": min(ratios), "most": max(ratios),
                           "pairs": pairs}
    return result


def match(plugin, directory, repeats, pattern):
    from paraview.simple import Delete, LoadPlugin, OpenDataFile
    LoadPlugin(plugin, ns=globals())
    source = OpenDataFile(os.path.join(directory, "source.pvtp"))
    target = OpenDataFile(os.path.join(directory, "target.pvtp"))
    source.UpdatePipeline()
    target.UpdatePipeline()
    times = []
    matching = None
    for i in range(repeats):
        if pattern == "new":
            matching = ChamferClusterMatching(Source=source, Target=target, NumberOfThreads=1)  # noqa: F821
        else:
            matching = matching or ChamferClusterMatching(Source=source, Target=target, NumberOfThreads=1)  # noqa: F821
            # Beyond every pair's value a limit changes nothing but makes the filter execute again.
            matching.MaxPairDistance = 0.0 if i % 2 else 1e300
        start = time.perf_counter()
        matching.UpdatePipeline()
        times.append(time.perf_counter() - start)
        if pattern == "new":
            Delete(matching)
    print(statistics.median(times))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "pieces":
        pieces(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "scaling-report":
        scaling_report(sys.argv[2])
    elif sys.argv[1] == "speedup":
        speedup(os.path.abspath(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "filter-speedup":
        print("load average", os.getloadavg(), flush=True)
        for pattern, r in filter_speedup(os.path.abspath(sys.argv[2]), sys.argv[3], sys.argv[4],
                                         int(sys.argv[5])).items():
            print(f"{sys.argv[3]}, {PATTERNS[pattern]}, median of 7 updates: 1 rank {r['1']:.4f} s, 2 ranks "
                  f"{r['2']:.4f} s, speed-up {r['speedup']:.2f}x (median of {r['pairs']} pairs; {r['least']:.2f}x to "
                  f"{r['most']:.2f}x)")
        print("load average", os.getloadavg())
    elif sys.argv[1] == "scaling":
        scaling(os.path.abspath(sys.argv[2]), sys.argv[3], os.path.abspath(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        match(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "new")
