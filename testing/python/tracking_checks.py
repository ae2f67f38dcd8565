"""Checks of a Cluster Tracking result against the ground truth of a moving-clusters series.

The oracle is the generator's truth: TrueTrackId on every point, and the true events (Moving
Clusters' second output, or data/tracking/true_events.csv), never the tracker's own numbers.
"""
from collections import Counter

import numpy as np


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def step_mapping(track_id, true_track):
    """true track -> the TrackId most of its points got at one step (points of no cluster left out)."""
    mapping = {}
    for true in np.unique(true_track):
        got = Counter(track_id[true_track == true].tolist()).most_common(1)[0][0]
        mapping[int(true)] = int(got)
    return mapping


def compare_with_truth(steps, events, true_events):
    """steps: per step, (TrackId, TrueTrackId) point arrays; events and true_events: lists of
    (step, kind, track, other). Returns a dict of figures; raises Failure on a wrong result."""
    mappings = [step_mapping(tracked, true) for tracked, true in steps]
    for s, mapping in enumerate(mappings):
        tracked = list(mapping.values())
        check(len(set(tracked)) == len(tracked), f"step {s}: two true tracks got the same TrackId")
        check(min(tracked, default=0) >= 0, f"step {s}: a cluster has no track")
    # Links: consecutive appearances of a true track (across gaps too) keep one TrackId.
    last_seen = {}
    links = kept = 0
    for s, mapping in enumerate(mappings):
        for true, tracked in mapping.items():
            if true in last_seen:
                links += 1
                kept += mappings[last_seen[true]][true] == tracked
            last_seen[true] = s
    figures = {"links": links, "kept": kept, "fraction": kept / max(links, 1)}

    found = set(events)
    first_seen = {}
    for s, mapping in enumerate(mappings):
        for tracked in mapping.values():
            first_seen.setdefault(tracked, s)

    def tracked_at(true, step):
        return mappings[step].get(true)

    def tracked_before(true, step):
        for s in range(step - 1, -1, -1):
            if true in mappings[s]:
                return mappings[s][true]
        return None

    counts = Counter()
    for step, kind, track, other in true_events:
        counts[kind] += 1
        if kind in ("birth", "split"):
            mine = tracked_at(track, step)
            check(first_seen.get(mine) == step, f"true {kind} of track {track} at step {step}: its TrackId {mine} "
                  f"was seen before (step {first_seen.get(mine)}), not a fresh id")
            if kind == "split":
                parent = tracked_at(other, step)
                check((step, "split", mine, parent) in found,
                      f"true split of track {track} from {other} at step {step} not found as (split, {mine}, {parent})")
        elif kind == "merge":
            mine, survivor = tracked_before(track, step), tracked_at(other, step)
            check((step, "merge", mine, survivor) in found,
                  f"true merge of track {track} into {other} at step {step} not found as (merge, {mine}, {survivor})")
        elif kind == "gap":
            mine = tracked_at(track, step)
            check(mine == tracked_before(track, step), f"gap of true track {track} before step {step} not bridged")
            check((step, "gap", mine, -1) in found, f"gap of true track {track} at step {step} not in the events")
    figures["true_events"] = dict(counts)
    return figures
