"""scipar against its peers, side by side: one process per workload, medians of several runs, 1 and 2
threads. Writes OUT/results.md (the table), OUT/results.json and OUT/time_vs_points.png.

    pvpython bench/bench.py --build build --out bench/results            # every workload, a few minutes
    pvpython bench/bench.py --build build --out /tmp/quick --quick       # the seed workload only, seconds

Peers too slow for a workload run on part of it and their time is extrapolated (PEER_PLAN below);
the table marks such times with * and says how. Every answer a peer gives is checked against
scipar's: a disagreement fails the run (exit 1). --mpi adds pvbatch runs of the plugin on the 1M
workloads on 1 and 2 MPI ranks (one thread each).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clouds  # noqa: E402

# The seed and SciPy approaches evaluate every cluster pair, both ways. How they run on each workload:
# in full; on their first N clusters of each cloud (each against every cluster of the other cloud;
# answers still checked), time scaled by the share of clusters; or, where even one cluster against
# all is too slow, on N random cluster pairs, time = set-up + mean pair time x pairs evaluated
# (2 k_s k_t) / threads, perfect thread scaling assumed in the peers' favour (answers not checked).
PEER_PLAN = {"seed": ("all", None), "100k": ("clusters", 60), "1M-10k": ("clusters", 6), "1M-20": ("pairs", 3)}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="scipar build directory")
    parser.add_argument("--out", default=os.path.join(HERE, "results"), help="output directory")
    parser.add_argument("--workloads", nargs="+", default=list(clouds.WORKLOADS), choices=list(clouds.WORKLOADS))
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (the median is kept)")
    parser.add_argument("--quick", action="store_true", help="the seed workload, 3 repeats: a smoke test")
    parser.add_argument("--mpi", action="store_true", help="also time the plugin under mpiexec -n 1 and -n 2")
    parser.add_argument("--run-workload", help=argparse.SUPPRESS)  # internal: one workload in this process
    return parser.parse_args()


def median_time(function, repeats):
    times, answer = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def disagreements(reference, answer):
    """Clusters whose partner differs from the reference's; a peer that ran on a subsample answers for
    fewer clusters."""
    wrong = []
    for ref, got in zip(reference, answer):
        wrong += [cluster for cluster, partner in got.items() if ref.get(cluster) != partner]
    return wrong


def core_peak_memory(core, data, threads):
    """Extra resident memory at the peak of one core run: the high-water mark is reset first (Linux
    clear_refs), and this is the process's first core run, so that no freed memory is reused."""
    with open("/proc/self/clear_refs", "w") as reset:
        reset.write("5")
    before = _status_kb("VmRSS")
    core(*data, threads)
    return (_status_kb("VmHWM") - before) * 1024


def _status_kb(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def run_workload(name, build, threads_list, repeats):
    """Every contender on one workload, in this process. Returns the workload's record."""
    import contenders
    data = clouds.workload(name)
    a, a_ids, b, b_ids = data
    core = contenders.SciparCore(os.path.join(build, "lib", "libscipar.so"))
    record = {"workload": name, "description": clouds.WORKLOADS[name][0], "points": len(a_ids) + len(b_ids),
              "clusters": [int(len(set(a_ids.tolist()))), int(len(set(b_ids.tolist())))],
              "input_bytes": a.nbytes + b.nbytes, "runs": []}
    record["core_peak_bytes"] = core_peak_memory(core, data, max(threads_list))
    plugin = contenders.SciparPlugin(os.path.join(build, "lib", "paraview-plugins", "Scipar", "Scipar.so"))
    k = sum(record["clusters"])
    runs = {threads: {"threads": threads, "times": {}, "extrapolated": {}} for threads in threads_list}
    references = {}
    # scipar first, for every thread count: the peers' thread pools (joblib, SciPy workers) were seen
    # to slow later OpenMP runs in the same process.
    for threads, run in runs.items():
        run["times"]["scipar core"], references[threads] = median_time(lambda: core(*data, threads), repeats)
        timed = [plugin(*data, threads) for _ in range(repeats)]
        run["times"]["scipar plugin"] = statistics.median(seconds for seconds, _ in timed)
        assert not disagreements(references[threads], timed[-1][1]), f"{name}: the plugin disagrees with the core"
    for threads, run in runs.items():
        run["times"]["floor"], _ = median_time(lambda: contenders.floor(*data, threads), repeats)
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


def run_mpi(name, build, repeats):
    """The plugin under pvbatch on 1 and 2 MPI ranks, one thread each: the clouds are written as
    two-piece partitioned files split at the median x, so that each rank reads half."""
    # pvpython starts MPI as a singleton: its Open MPI variables would make mpiexec's children join it.
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("OMPI_", "PMIX_", "OPAL_"))}
    environment.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    plugin = os.path.join(build, "lib", "paraview-plugins", "Scipar", "Scipar.so")
    times = {}
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(["pvpython", os.path.join(HERE, "mpi_run.py"), "write", name, directory], check=True,
                       env=environment, capture_output=True)
        for ranks in (1, 2):
            out = subprocess.run(["mpiexec", "-n", str(ranks), "--oversubscribe", "pvbatch",
                                  os.path.join(HERE, "mpi_run.py"), "match", plugin, directory, str(repeats)],
                                 check=True, env=environment, capture_output=True, text=True).stdout
            times[ranks] = float(out.strip().splitlines()[-1])
    return times


def table(records, mpi):
    peers = ["scipar core", "scipar plugin", "floor", "seed", "scipy"]
    lines = ["| workload | points | clusters | threads | " + " | ".join(peers) +
             " | seed / plugin | scipy / plugin | plugin / floor | core peak memory / input |",
             "|" + "---|" * (len(peers) + 8)]
    for record in records:
        for run in record["runs"]:
            t = run["times"]
            cells = [f"{t[p]:.3g} s" + ("*" if p in run["extrapolated"] else "") for p in peers]
            memory = record["core_peak_bytes"] / record["input_bytes"]
            lines.append(f"| {record['workload']} | {record['points']:,} | {record['clusters'][0]:,} + "
                         f"{record['clusters'][1]:,} | {run['threads']} | " + " | ".join(cells) +
                         f" | {t['seed'] / t['scipar plugin']:.0f}x | {t['scipy'] / t['scipar plugin']:.0f}x"
                         f" | {t['scipar plugin'] / t['floor']:.2f} | {memory:.2f} |")
    lines.append("")
    lines.append("| workload | plugin, 2 threads vs 1 | core, 2 threads vs 1 |")
    lines.append("|---|---|---|")
    for record in records:
        by_threads = {run["threads"]: run["times"] for run in record["runs"]}
        if 1 in by_threads and 2 in by_threads:
            lines.append(f"| {record['workload']} | "
                         f"{by_threads[1]['scipar plugin'] / by_threads[2]['scipar plugin']:.2f}x | "
                         f"{by_threads[1]['scipar core'] / by_threads[2]['scipar core']:.2f}x |")
    if mpi:
        lines += ["", "| workload | pvbatch, 1 rank | pvbatch, 2 ranks | speed-up |", "|---|---|---|---|"]
        for name, times in mpi.items():
            lines.append(f"| {name} | {times['1']:.3g} s | {times['2']:.3g} s | {times['1'] / times['2']:.2f}x |")
    lines.append("")
    notes = sorted({f"{record['workload']} {peer}: {how}" for record in records for run in record["runs"]
                    for peer, how in run["extrapolated"].items()}) or ["none here"]
    lines.append("Medians of repeated runs, wall-clock seconds, in one process per workload. `*`: extrapolated "
                 "(" + "; ".join(notes) + "): on N of the clusters, each against every cluster of the other "
                 "cloud, time scaled by the share of clusters; on N sampled pairs, set-up plus mean pair time "
                 "times every pair evaluated both ways, over the thread count. Ratios above 1 mean scipar's "
                 "plugin is faster; plugin / floor below 3 meets the target. Memory: the core's extra resident "
                 "memory at its peak over the size of the input coordinates.")
    return "\n".join(lines) + "\n"


def plot(records, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for peer, style in (("scipar plugin", "o-"), ("scipar core", "s--"), ("floor", "^:"), ("seed", "x-"),
                        ("scipy", "d-")):
        for threads in sorted({run["threads"] for record in records for run in record["runs"]}):
            points = [(record["points"], run["times"][peer]) for record in records for run in record["runs"]
                      if run["threads"] == threads]
            points.sort()
            axes.plot([p for p, _ in points], [t for _, t in points], style, label=f"{peer}, {threads} thr.")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("points (both clouds)")
    axes.set_ylabel("seconds (median)")
    axes.set_title("Chamfer cluster matching, Max metric")
    axes.legend(fontsize=7, ncol=2)
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main():
    args = parse_arguments()
    build = os.path.abspath(args.build)
    if args.run_workload:
        print(json.dumps(run_workload(args.run_workload, build, args.threads, args.repeats)))
        return
    if args.quick:
        args.workloads, args.repeats = ["seed"], 3
    os.makedirs(args.out, exist_ok=True)
    records, mpi = [], {}
    for name in args.workloads:
        print(f"running {name} ...", flush=True)
        out = subprocess.run(["pvpython", os.path.abspath(__file__), "--build", build, "--run-workload", name,
                              "--repeats", str(args.repeats), "--threads"] + [str(t) for t in args.threads],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{name} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
        records.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if args.mpi and name.startswith("1M"):
            mpi[name] = {str(k): v for k, v in run_mpi(name, build, args.repeats).items()}
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump({"records": records, "mpi": mpi}, out, indent=1)
    text = table(records, mpi)
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(text)
    plot(records, os.path.join(args.out, "time_vs_points.png"))
    print(text)


if __name__ == "__main__":
    main()
