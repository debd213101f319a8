#!/usr/bin/python3
"""Checks the project's include rules over its C++ sources (docs/architecture.md):

  1. no file includes another folder's private headers ("X/src/..." from outside X/);
  2. dependencies point one way: a folder includes only the folders it may depend on;
  3. SystemC headers (<systemc>, <systemc.h>, <tlm>, <sysc/...>, <tlm_utils/...>) only in sim/.

The build enforces rule 1 too (each library exports only its public headers,
cmake/folder_includes.cmake); this check also covers rules 2 and 3, and names every offending
line at once.

Usage: check_includes.py [--source-dir DIR]
Exit status: 0 when every include keeps the rules, 1 when some do not (one line each), 2 on bad
input.
"""
import argparse
import os
import re
import sys

# What each folder may include besides itself. Libraries follow the arrows of
# docs/architecture.md; the programs on top (apps, python, tests, bench, fuzz, examples) may use
# every library but not one another, except that tests, bench and fuzz drive the command.
LIBRARIES = ["formats", "workloads", "costmodel", "sim", "quant", "search", "explore"]
ALLOWED = {
    "formats": set(),
    "workloads": {"formats"},
    "costmodel": {"formats", "workloads"},
    "sim": {"formats", "workloads", "costmodel"},
    "quant": {"formats", "workloads"},
    "search": {"formats"},
    "explore": {"formats", "workloads", "costmodel", "sim", "quant", "search"},
    "apps": set(LIBRARIES),
    "python": set(LIBRARIES),
    "examples": set(LIBRARIES),
    "tests": set(LIBRARIES) | {"apps"},
    "bench": set(LIBRARIES) | {"apps"},
    "fuzz": set(LIBRARIES) | {"apps"},
}
SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc")
SKIPPED_DIRS = {".git", "runs"}
QUOTED = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
ANGLED = re.compile(r"^\s*#\s*include\s*<([^>]+)>")
SYSTEMC = re.compile(r"^(systemc(\.h)?|tlm(\.h)?|sysc/.*|tlm_core/.*|tlm_utils/.*)$")


def source_files(root):
    for top in sorted(os.listdir(root)):
        path = os.path.join(root, top)
        if not os.path.isdir(path) or top in SKIPPED_DIRS or top.startswith("build"):
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    yield top, os.path.join(folder, name)


def check_file(root, top, path):
    """The broken rules of one file, as 'path:line: message' strings."""
    problems = []
    rel = os.path.relpath(path, root)
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        where = f"{rel}:{number}"
        quoted = QUOTED.match(line)
        if quoted:
            target = quoted.group(1)
            parts = target.split("/")
            if len(parts) < 2:
                continue  # a file beside this one
            folder = parts[0]
            if folder == top:
                continue
            if len(parts) > 2 and parts[1] == "src":
                problems.append(f"{where}: includes {target}, a private header of {folder}/")
            elif top in ALLOWED and folder in ALLOWED and folder not in ALLOWED[top]:
                problems.append(
                    f"{where}: includes {target}, but {top}/ may not depend on {folder}/ "
                    f"(it may use: {', '.join(sorted(ALLOWED[top])) or 'nothing'})"
                )
            continue
        angled = ANGLED.match(line)
        if angled and top != "sim" and SYSTEMC.match(angled.group(1)):
            problems.append(f"{where}: includes <{angled.group(1)}>; SystemC stays inside sim/")
    return problems


def check_tree(root):
    problems = []
    for top, path in source_files(root):
        problems.extend(check_file(root, top, path))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(__file__)) or ".")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.source_dir)
    if not os.path.isdir(root):
        print(f"check_includes.py: --source-dir {args.source_dir}: not a folder", file=sys.stderr)
        return 2
    problems = check_tree(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the project's rules (docs/architecture.md)")
        return 1
    print("every include keeps the project's rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
