"""scipar against its limit and its peers, side by side: one process per workload, medians of several
runs, 1 and 2 threads. Writes OUT/results.md (the tables), OUT/results.json and OUT/scaling.png.

    pvpython bench/bench.py --build build --out bench/results --scaling      # every workload and the curves
    pvpython bench/bench.py --build build --out /tmp/quick --quick           # the seed workload only, seconds

The limit (bench/limit.c) is given scipar's final pairs and computes only their exact Chamfer values:
the least exact work any method must do; scipar / limit is the overhead of finding the pairs. Peers
too slow for a workload run on part of it and their time is extrapolated (PEER_PLAN below); the
table marks such times with * and says how. Every answer a contender gives is checked against
scipar's (the limit's values too): a disagreement fails the run (exit 1). --mpi adds pvbatch runs of
the plugin on the 1M workloads on 1 and 2 MPI ranks (one thread each).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clouds  # noqa: E402

# The seed and SciPy approaches evaluate every cluster pair, both ways. How they run on each workload:
# in full; on their first N clusters of each cloud (each against every cluster of the other cloud;
# answers still checked), time scaled by the share of clusters; or, where even one cluster against
# all is too slow, on N random cluster pairs, time = set-up + mean pair time x pairs evaluated
# (2 k_s k_t) / threads, perfect thread scaling assumed in the peers' favour (answers not checked).
# Workloads absent here run without them (the brute force shows the same cost, measured).
PEER_PLAN = {"seed": ("all", None), "100k": ("clusters", 60), "1M-10k": ("clusters", 6), "1M-20": ("pairs", 3)}

# The all-pairs brute force runs where it evaluates at most this many point pairs (2 N_s N_t): a few
# seconds per thread here.
BRUTE_MAX_POINT_PAIRS = 2.5e10

# Workloads without the floor: with the second cloud 1,000 units away, every point is nearly as far
# from every other, and each cKDTree query visits most of the tree (far-1M's floor ran over 10
# minutes without finishing).
NO_FLOOR = {"far-100k", "far-1M"}

# ... and where its table of every cluster pair's value (8 bytes each) stays small: not the singletons.
BRUTE_MAX_VALUES = 1e8

# A contender whose first run takes longer than this runs 3 times instead of --repeats.
SLOW_SECONDS = 3.0

# Issue 11's targets, at 2 threads: scipar core / limit at most this (the singletons: scipar core /
# floor, SciPy's global query both ways; the seed-like 1M: seconds).
TARGETS = {"seed-100k": ("core / limit", 50.0), "far-100k": ("core / limit", 10.0), "far-1M": ("core / limit", 10.0),
           "singletons-100k": ("core / floor", 1.0), "1M-10k": ("core / limit", 2.0), "1M-20": ("core / limit", 1.2),
           "huge-100k": ("core / limit", 2.0), "seed-1M": ("core seconds", 30.0)}

# The scaling curves: separated clouds of 100-point clusters from 10k to 4M points per cloud, and 1M
# points per cloud in 20 to 200k clusters.
SCALING_POINTS = [10_000, 30_000, 100_000, 300_000, 1_000_000, 2_000_000, 4_000_000]
SCALING_CLUSTERS = [20, 200, 2_000, 20_000, 200_000]


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="scipar build directory")
    parser.add_argument("--out", default=os.path.join(HERE, "results"), help="output directory")
    parser.add_argument("--workloads", nargs="+", default=list(clouds.WORKLOADS), choices=list(clouds.WORKLOADS))
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (the median is kept)")
    parser.add_argument("--quick", action="store_true", help="the seed workload, 3 repeats: a smoke test")
    parser.add_argument("--scaling", action="store_true", help="also the scaling curves (2 threads)")
    parser.add_argument("--mpi", action="store_true", help="also time the plugin under mpiexec -n 1 and -n 2")
    parser.add_argument("--run-workload", help=argparse.SUPPRESS)  # internal: one workload in this process
    parser.add_argument("--run-scaling", help=argparse.SUPPRESS)   # internal: one scaling point
    return parser.parse_args()


def median_time(function, repeats):
    times, answer = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - start)
        if times[0] > SLOW_SECONDS and repeats > 3:
            repeats = 3
        if len(times) >= repeats:
            break
    return statistics.median(times), answer


def disagreements(reference, answer):
    """Clusters whose partner differs from the reference's; a peer that ran on a subsample answers for
    fewer clusters."""
    wrong = []
    for ref, got in zip(reference, answer):
        wrong += [cluster for cluster, partner in got.items() if ref.get(cluster) != partner]
    return wrong


def write_clouds(path, data):
    a, a_ids, b, b_ids = data
    with open(path, "wb") as out:
        out.write(b"SCIPARB1")
        np.array([len(a_ids), len(b_ids)], dtype=np.uint64).tofile(out)
        for array in (a, a_ids, b, b_ids):
            array.tofile(out)


def write_pairs(path, pairs):
    with open(path, "wb") as out:
        np.array([len(pairs[0])], dtype=np.uint64).tofile(out)
        np.ascontiguousarray(pairs[0]).tofile(out)
        np.ascontiguousarray(pairs[1]).tofile(out)


def peak_memory(build, clouds_file, contender, threads, pairs_file=None):
    """The peak resident memory (VmHWM) of a process that reads the clouds and runs the contender once,
    over the input's size (coordinates and labels of both clouds): the same measure for every row."""
    command = [os.path.join(build, "bench", "scipar-bench-run"), clouds_file, contender, str(threads)]
    out = subprocess.run(command + ([pairs_file] if pairs_file else []), check=True, capture_output=True, text=True)
    record = json.loads(out.stdout)
    return record["peak_bytes"] / record["input_bytes"]


def check_limit_values(name, pairs, values):
    """The limit's values (its own code) against scipar's, to rounding."""
    scale = np.maximum(1.0, np.abs(pairs[2]))
    worst = float(np.max(np.abs(values - pairs[2]) / scale)) if len(values) else 0.0
    assert worst <= 1e-9, f"{name}: the limit's values differ from scipar's by up to {worst:.3g} (relative)"


def brute_agrees(limit, data, reference, answer):
    """The brute force's answer is scipar's, up to near-ties (two candidates whose values differ by less
    than 1e-9 relative, which the two may round differently): those are checked with the limit."""
    a, a_ids, b, b_ids = data
    for forward, (ref, got) in zip((True, False), zip(reference, answer)):
        for cluster, partner in got.items():
            if ref.get(cluster) == partner:
                continue
            pair_ours = ([cluster], [ref[cluster]]) if forward else ([ref[cluster]], [cluster])
            pair_theirs = ([cluster], [partner]) if forward else ([partner], [cluster])
            ours = limit.values(a, a_ids, b, b_ids, [np.array(x, np.int64) for x in pair_ours], 1)[1][0]
            theirs = limit.values(a, a_ids, b, b_ids, [np.array(x, np.int64) for x in pair_theirs], 1)[1][0]
            if abs(ours - theirs) > 1e-9 * max(1.0, abs(ours)):
                return False
    return True


def run_workload(name, build, threads_list, repeats):
    """Every contender on one workload, in this process. Returns the workload's record."""
    import contenders
    data = clouds.workload(name)
    a, a_ids, b, b_ids = data
    core = contenders.SciparCore(os.path.join(build, "lib", "libscipar.so"))
    limit = contenders.Limit(os.path.join(build, "lib", "libscipar_limit.so"))
    record = {"workload": name, "description": clouds.WORKLOADS[name][0], "points": len(a_ids) + len(b_ids),
              "clusters": [int(len(np.unique(a_ids))), int(len(np.unique(b_ids)))],
              "input_bytes": a.nbytes + b.nbytes + a_ids.nbytes + b_ids.nbytes, "runs": []}
    plugin = contenders.SciparPlugin(os.path.join(build, "lib", "paraview-plugins", "Scipar", "Scipar.so"))
    k = sum(record["clusters"])
    runs = {threads: {"threads": threads, "times": {}, "extrapolated": {}, "memory": {}} for threads in threads_list}
    references = {}
    with tempfile.TemporaryDirectory() as directory:
        clouds_file, pairs_file = os.path.join(directory, "clouds.bin"), os.path.join(directory, "pairs.bin")
        write_clouds(clouds_file, data)
        references[0], pairs = core(*data, max(threads_list), with_pairs=True)
        write_pairs(pairs_file, pairs)
        check_limit_values(name, pairs, limit.values(*data, pairs, max(threads_list))[1])
        for threads, run in runs.items():
            run["memory"]["scipar core"] = peak_memory(build, clouds_file, "scipar", threads)
            run["memory"]["limit"] = peak_memory(build, clouds_file, "limit", threads, pairs_file)
    # scipar and its limit first, interleaved run by run: the peers' thread pools (joblib, SciPy
    # workers) were seen to slow later OpenMP runs in the same process.
    for threads, run in runs.items():
        core_times, limit_times = [], []
        for r in range(repeats):
            start = time.perf_counter()
            references[threads] = core(*data, threads)
            core_times.append(time.perf_counter() - start)
            limit_times.append(limit.values(*data, pairs, threads)[0])
            if core_times[0] > SLOW_SECONDS and r >= 2:
                break
        assert not disagreements(references[0], references[threads]), f"{name}: scipar differs across threads"
        run["times"]["scipar core"] = statistics.median(core_times)
        run["times"]["limit"] = statistics.median(limit_times)
        timed = []
        for _ in range(repeats):
            timed.append(plugin(*data, threads))
            if timed[0][0] > SLOW_SECONDS and len(timed) >= 3:
                break
        run["times"]["scipar plugin"] = statistics.median(seconds for seconds, _ in timed)
        assert not disagreements(references[threads], timed[-1][1]), f"{name}: the plugin disagrees with the core"
    for threads, run in runs.items():
        if name not in NO_FLOOR:
            run["times"]["floor"], _ = median_time(lambda: contenders.floor(*data, threads), repeats)
        if 2 * len(a_ids) * len(b_ids) <= BRUTE_MAX_POINT_PAIRS and \
                record["clusters"][0] * record["clusters"][1] <= BRUTE_MAX_VALUES:
            start = time.perf_counter()
            answer = limit.brute_force(*data, threads)
            run["times"]["brute force"] = time.perf_counter() - start
            assert brute_agrees(limit, data, references[threads], answer), f"{name}: the brute force disagrees"
        if name not in PEER_PLAN:
            continue
        plan, count = PEER_PLAN[name]
        for peer, function in (("seed", contenders.seed_numba), ("scipy", contenders.scipy_per_cluster)):
            if plan == "pairs":
                pair, setup = contenders.sampled_pair_seconds(peer, *data, count)
                run["times"][peer] = setup + pair * 2 * record["clusters"][0] * record["clusters"][1] / threads
                run["extrapolated"][peer] = f"{count} sampled pairs"
                continue
            subsample = count if plan == "clusters" else None
            seconds, answer = median_time(lambda: function(*data, threads, subsample=subsample),
                                          1 if subsample else repeats)
            wrong = disagreements(references[threads], answer)
            assert not wrong, f"{name}: {peer} disagrees with scipar on clusters {wrong[:5]}"
            if subsample:
                ran = min(subsample, record["clusters"][0]) + min(subsample, record["clusters"][1])
                seconds *= k / ran
                run["extrapolated"][peer] = f"{ran} of {k} clusters"
            run["times"][peer] = seconds
    record["runs"] = [runs[threads] for threads in threads_list]
    return record


def run_scaling(spec, build, repeats):
    """One point of the scaling curves (2 threads): scipar core, the limit and the floor."""
    import contenders
    points, num_clusters = (int(x) for x in spec.split(":"))
    data = clouds.moved(lambda: clouds.separated_clusters(points, num_clusters, 21), 22)
    core = contenders.SciparCore(os.path.join(build, "lib", "libscipar.so"))
    limit = contenders.Limit(os.path.join(build, "lib", "libscipar_limit.so"))
    _, pairs = core(*data, 2, with_pairs=True)
    core_times, limit_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        core(*data, 2)
        core_times.append(time.perf_counter() - start)
        limit_times.append(limit.values(*data, pairs, 2)[0])
    floor_seconds, _ = median_time(lambda: contenders.floor(*data, 2), repeats)
    return {"points": points, "clusters": num_clusters, "scipar core": statistics.median(core_times),
            "limit": statistics.median(limit_times), "floor": floor_seconds}


def seconds(t):
    return f"{t:.3g} s"


def table(records, mpi, scaling):
    peers = ["scipar core", "scipar plugin", "limit", "floor", "brute force", "seed", "scipy"]
    lines = ["| workload | points | clusters | threads | " + " | ".join(peers) +
             " | core / limit | plugin / limit | core peak memory / input | limit peak memory / input |",
             "|" + "---|" * (len(peers) + 8)]
    for record in records:
        for run in record["runs"]:
            t = run["times"]
            cells = [(seconds(t[p]) + ("*" if p in run["extrapolated"] else "")) if p in t else "-" for p in peers]
            lines.append(f"| {record['workload']} | {record['points']:,} | {record['clusters'][0]:,} + "
                         f"{record['clusters'][1]:,} | {run['threads']} | " + " | ".join(cells) +
                         f" | {t['scipar core'] / t['limit']:.2f} | {t['scipar plugin'] / t['limit']:.2f}"
                         f" | {run['memory']['scipar core']:.2f} | {run['memory']['limit']:.2f} |")
    lines += ["", "| workload | target (2 threads) | measured | met |", "|---|---|---|---|"]
    for record in records:
        if record["workload"] not in TARGETS:
            continue
        kind, bound = TARGETS[record["workload"]]
        t = {run["threads"]: run["times"] for run in record["runs"]}.get(2)
        if not t:
            continue
        measured = {"core / limit": lambda: t["scipar core"] / t["limit"],
                    "core / floor": lambda: t["scipar core"] / t["floor"], "core seconds": lambda: t["scipar core"]}[kind]()
        lines.append(f"| {record['workload']} | {kind} <= {bound:g} | {measured:.3g} | "
                     f"{'yes' if measured <= bound else 'no'} |")
    lines += ["", "| workload | core, 2 threads vs 1 | limit, 2 threads vs 1 |", "|---|---|---|"]
    for record in records:
        by_threads = {run["threads"]: run["times"] for run in record["runs"]}
        if 1 in by_threads and 2 in by_threads:
            lines.append(f"| {record['workload']} | "
                         f"{by_threads[1]['scipar core'] / by_threads[2]['scipar core']:.2f}x | "
                         f"{by_threads[1]['limit'] / by_threads[2]['limit']:.2f}x |")
    if mpi:
        import mpi_run
        lines += ["", "| workload | updates | pvbatch, 1 rank | pvbatch, 2 ranks | speed-up, median of the pairs' | "
                  "range |", "|---|---|---|---|---|---|"]
        for name, patterns in mpi.items():
            for pattern, times in patterns.items():
                lines.append(f"| {name} | {mpi_run.PATTERNS[pattern]} | {times['1']:.3g} s | {times['2']:.3g} s | "
                             f"{times['speedup']:.2f}x | {times['least']:.2f}x to {times['most']:.2f}x |")
    if scaling:
        lines += ["", "| points per cloud | clusters per cloud | scipar core | limit | floor | core / limit |",
                  "|---|---|---|---|---|---|"]
        for point in scaling:
            lines.append(f"| {point['points']:,} | {point['clusters']:,} | {seconds(point['scipar core'])} | "
                         f"{seconds(point['limit'])} | {seconds(point['floor'])} | "
                         f"{point['scipar core'] / point['limit']:.2f} |")
    lines.append("")
    notes = sorted({f"{record['workload']} {peer}: {how}" for record in records for run in record["runs"]
                    for peer, how in run["extrapolated"].items()}) or ["none here"]
    lines.append("Medians of repeated runs, wall-clock seconds, in one process per workload; scipar core and the "
                 "limit run interleaved. `-`: not run (the floor on the far-apart workloads, where SciPy's "
                 "query visits most of the tree for every point; the brute force where it would evaluate more than "
                 f"{BRUTE_MAX_POINT_PAIRS:.2g} point pairs or hold more than {BRUTE_MAX_VALUES:.2g} cluster pairs' values; the seed and SciPy peers on the original workloads only). "
                 "`*`: extrapolated (" + "; ".join(notes) + "): on N of the clusters, each against every cluster of "
                 "the other cloud, time scaled by the share of clusters; on N sampled pairs, set-up plus mean pair "
                 "time times every pair evaluated both ways, over the thread count. Memory: the peak resident memory "
                 "of a process that reads both clouds and runs the contender once, over the size of the input "
                 "(coordinates and labels of both clouds).")
    return "\n".join(lines) + "\n"


def plot(scaling, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    by_points = sorted((p for p in scaling if p["clusters"] == max(1, p["points"] // 100)), key=lambda p: p["points"])
    by_clusters = sorted((p for p in scaling if p["points"] == 1_000_000), key=lambda p: p["clusters"])
    for ax, rows, key, label in ((axes[0], by_points, "points", "points per cloud (100 per cluster)"),
                                 (axes[1], by_clusters, "clusters", "clusters per cloud (1M points)")):
        for name, style in (("scipar core", "o-"), ("limit", "s--"), ("floor", "^:")):
            ax.plot([r[key] for r in rows], [r[name] for r in rows], style, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("seconds (median, 2 threads)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    figure.suptitle("Chamfer cluster matching, Max metric, separated clouds")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def subprocess_json(arguments):
    out = subprocess.run(["pvpython", os.path.abspath(__file__)] + arguments, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{arguments} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_mpi(name, build):
    """The plugin under pvbatch on 1 and 2 MPI ranks, one thread each, three interleaved pairs of runs
    in each update pattern (mpi_run.py filter-speedup): the clouds are written as two-piece
    partitioned files split at the median x, so that each rank reads half."""
    import mpi_run
    with tempfile.TemporaryDirectory() as directory:
        return mpi_run.filter_speedup(build, name, directory, pairs=3)


def main():
    args = parse_arguments()
    build = os.path.abspath(args.build)
    if args.run_workload:
        print(json.dumps(run_workload(args.run_workload, build, args.threads, args.repeats)))
        return
    if args.run_scaling:
        print(json.dumps(run_scaling(args.run_scaling, build, args.repeats)))
        return
    if args.quick:
        args.workloads, args.repeats = ["seed"], 3
    os.makedirs(args.out, exist_ok=True)
    records, mpi, scaling = [], {}, []
    for name in args.workloads:
        print(f"running {name} ...", flush=True)
        records.append(subprocess_json(["--build", build, "--run-workload", name, "--repeats", str(args.repeats),
                                        "--threads"] + [str(t) for t in args.threads]))
        if args.mpi and name in ("1M-10k", "1M-20"):
            mpi[name] = run_mpi(name, build)
    if args.scaling:
        specs = [(p, max(1, p // 100)) for p in SCALING_POINTS] + \
                [(1_000_000, k) for k in SCALING_CLUSTERS if k != 10_000]
        for points, num_clusters in specs:
            print(f"scaling {points} points, {num_clusters} clusters ...", flush=True)
            scaling.append(subprocess_json(["--build", build, "--run-scaling", f"{points}:{num_clusters}",
                                            "--repeats", str(min(args.repeats, 3))]))
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump({"records": records, "mpi": mpi, "scaling": scaling}, out, indent=1)
    text = table(records, mpi, scaling)
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(text)
    if scaling:
        plot(scaling, os.path.join(args.out, "scaling.png"))
    print(text)


if __name__ == "__main__":
    main()
