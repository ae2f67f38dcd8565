"""The plugin's help pages, as the GUI shows them (the Qt help file compiled into the plugin).

Usage: /usr/bin/python3 test_help.py QCH

QCH is the Scipar.qch ParaView compiled from the server-manager XML (a SQLite database whose files
are zlib-compressed with a 4-byte length header). Checks that each filter and source has its page
and that the "Default(s)" column reads as a user types values: an array selection shows the array's
name (ClusterId), not the XML's "0;0;0;0;ClusterId". Exits non-zero on failure.
"""
import re
import sqlite3
import sys
import zlib


def pages(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute("SELECT n.Name, d.Data FROM FileNameTable n JOIN FileDataTable d ON n.FileId = d.Id")
    return {name: zlib.decompress(bytes(data)[4:]).decode("utf-8") for name, data in rows if data}


def defaults(page):
    """Property label -> the text of its "Default(s)" cell (the cell after the description's)."""
    rows = re.findall(r"<th>([^<]*)</th>\s*<td>.*?</td>\s*<td>(.*?)</td>", page, re.S)
    return {label.strip(): re.sub(r"<[^>]*>", "", value).strip() for label, value in rows}


def main():
    found = pages(sys.argv[1])
    failures = []
    for page in ("filters.ChamferClusterMatching.html", "filters.EuclideanClusters.html",
                 "filters.NextFrame.html", "sources.GaussianClusters.html"):
        if page not in found:
            failures.append(f"no help page {page} (pages: {sorted(found)})")
    for page, text in found.items():
        raw = {label: value for label, value in defaults(text).items() if ";" in value}
        if raw:
            failures.append(f"{page}: defaults as the XML writes them: {raw}")
    matching = defaults(found.get("filters.ChamferClusterMatching.html", ""))
    for label in ("Source Cluster Array", "Target Cluster Array"):
        if matching.get(label) != "ClusterId":
            failures.append(f"Chamfer Cluster Matching: {label}'s default reads {matching.get(label)!r}, not ClusterId")
    for failure in failures:
        print("FAILED:", failure)
    if failures:
        sys.exit(1)
    print(f"help: {len(found)} pages, defaults readable")


if __name__ == "__main__":
    main()
