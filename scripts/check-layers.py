#!/usr/bin/env python3
"""Checks that the runner's includes point only down its layers.

gtest_parallel/ is one folder per role. A file may include files of its own
folder and of the folders below it, never of a folder above it or beside it
(the worker and the coordinator are two processes that share nothing but the
protocol). The public headers (include/gtest_parallel/) are what users see;
only the entry includes the runner's own public header, and any file may
include the database API, which the backends' headers hold.

Layers, bottom first:
  0 protocol    the messages and variables between the processes
  1 platform    processes, files, signals (one interface, _posix/_windows)
  1 googletest  everything that knows GoogleTest's internals
  2 flags       flags and environment variables, parsed into Options
  3 databases   a database per worker
  4 worker      the worker process
  4 coordinator the coordinator process
  5 entry       main() and the choice of serial, worker or coordinator

Exits 1, naming every include that breaks the rule; 0 otherwise.
"""

import os
import re
import sys

LAYERS = {
    "protocol": 0,
    "platform": 1,
    "googletest": 1,
    "flags": 2,
    "databases": 3,
    "worker": 4,
    "coordinator": 4,
    "entry": 5,
}
# Public headers of the runner that only the entry may include (the
# database API, gtest_parallel/database.h, is open to every layer).
ENTRY_ONLY_PUBLIC = {"gtest_parallel/gtest_parallel.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def Violations(root):
    """Yields (file, line number, include, reason) for each bad include."""
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if folder == "include" or not os.path.isdir(path):
            continue
        if folder not in LAYERS:
            yield (path, 0, "", "folder '%s' has no layer in %s" %
                   (folder, os.path.basename(__file__)))
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".h", ".cc")):
                continue
            source = os.path.join(path, name)
            with open(source, encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    match = INCLUDE.match(line)
                    if match:
                        reason = Check(folder, match.group(1))
                        if reason:
                            yield (source, number, match.group(1), reason)


def Check(folder, included):
    """Why `folder` may not include `included`, or None when it may."""
    target = included.split("/")[0]
    if target == "gtest_parallel":
        if included in ENTRY_ONLY_PUBLIC and folder != "entry":
            return "only entry/ includes the runner's public header"
        return None
    if target == "src":  # GoogleTest's private header (googletest/ only)
        return None if folder == "googletest" else "GoogleTest's private " \
            "header belongs to googletest/"
    if target not in LAYERS:
        return "'%s' is not under a layer folder" % included
    if target == folder:
        return None
    if LAYERS[target] < LAYERS[folder]:
        return None
    if LAYERS[target] == LAYERS[folder]:
        return "%s/ and %s/ are side by side: neither includes the other" % (
            folder, target)
    return "%s/ (layer %d) includes %s/ above it (layer %d)" % (
        folder, LAYERS[folder], target, LAYERS[target])


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "gtest_parallel")
    bad = list(Violations(root))
    for source, number, included, reason in bad:
        print("%s:%d: #include \"%s\": %s" % (
            os.path.relpath(source), number, included, reason))
    if bad:
        print("check-layers: %d include(s) break the layering" % len(bad))
        return 1
    print("check-layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
