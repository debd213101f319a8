#!/usr/bin/python3
"""Checks that scripts/setup.sh installs every Debian package the build and the tests use.

A fresh machine gets exactly what setup.sh names plus those packages' hard dependencies
(Depends and Pre-Depends; `apt-get install --no-install-recommends` skips Recommends), on top of
a minimal Debian (packages marked Essential or of Priority required, as debootstrap's minbase
installs). A file the build or the tests use that belongs to a package outside that set works
here only because something else installed it: this check names it.

Files looked at:
  - the CMake files the configure step read (build/CMakeFiles/Makefile.cmake) and the tools and
    libraries it found (FILEPATH entries of build/CMakeCache.txt);
  - every header the compiler read (the .o.d depfiles) and every library on a link line;
  - the shared libraries the built programs load (ldd);
  - the programs the tests run (the first word of each CTest command, and `-m MODULE`);
  - the top-level modules the project's Python files import (resolved with this interpreter);
  - absolute system paths written in the project's sources (a data set, an interpreter).

Usage: check_setup_packages.py --build-dir build [--source-dir .] [--setup scripts/setup.sh]
                               [--without PKG ...] [--dpkg-dir /var/lib/dpkg]
--without drops packages from setup.sh's list, to show what the check would say without them.
Exit status: 0 when every file is covered, 1 when some are not, 2 on bad input.
"""
import argparse
import ast
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field


class InputError(Exception):
    pass


# --- the dpkg database --------------------------------------------------------------------


@dataclass
class Package:
    name: str
    essential: bool = False
    priority: str = ""
    depends: list = field(default_factory=list)  # OR-groups of names, Depends and Pre-Depends
    provides: list = field(default_factory=list)


def parse_relations(text):
    """'a (>= 1) | b:any, c' -> [['a', 'b'], ['c']]: names without versions or architectures."""
    groups = []
    for group in text.split(","):
        names = []
        for alt in group.split("|"):
            alt = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alt).strip()
            if alt:
                names.append(alt.split(":")[0])
        if names:
            groups.append(names)
    return groups


def read_status(dpkg_dir):
    """The installed packages of a dpkg status file, by name."""
    path = os.path.join(dpkg_dir, "status")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read the dpkg status file ({e.strerror})")
    packages = {}
    for stanza in text.split("\n\n"):
        fields = {}
        key = None
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
            continue
        p = Package(fields["Package"])
        p.essential = fields.get("Essential", "") == "yes"
        p.priority = fields.get("Priority", "")
        p.depends = parse_relations(fields.get("Pre-Depends", "")) + parse_relations(
            fields.get("Depends", "")
        )
        p.provides = [g[0] for g in parse_relations(fields.get("Provides", ""))]
        packages[p.name] = p
    if not packages:
        raise InputError(f"{path}: no installed package found; is this a Debian system?")
    return packages


def providers(packages):
    by_virtual = defaultdict(list)
    for p in packages.values():
        for v in p.provides:
            by_virtual[v].append(p.name)
    return by_virtual


def minimal_system(packages):
    """What debootstrap --variant=minbase installs: Essential and Priority required packages."""
    return {n for n, p in packages.items() if p.essential or p.priority == "required"}


def archive_packages(names):
    """Those of `names` that the archive apt knows (its lists) has a version of; None when apt
    has no lists to say (then alternatives are judged by what is installed here only)."""
    if not names:
        return set()
    lists = "/var/lib/apt/lists"
    try:
        if not any("_Packages" in f for f in os.listdir(lists)):
            return None
    except OSError:
        return None
    out = subprocess.run(["apt-cache", "policy", *sorted(names)], capture_output=True, text=True)
    available, current = set(), None
    for line in out.stdout.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("Candidate:"):
            if line.split(":", 1)[1].strip() != "(none)":
                available.add(current.split(":")[0])
    return available


def closure(roots, packages, in_archive=None):
    """The packages apt installs for `roots` without Recommends, as apt resolves them: every
    plain dependency first; then each OR-group (a | b) that nothing chosen so far satisfies
    takes its first alternative apt can install: one installed here (or something an installed
    package provides) is counted; one that is not installed here but is in the archive
    (`in_archive`) is what a fresh machine would install, so the later alternatives are not
    counted. Versions are not compared. With several installed providers of a virtual package,
    all are counted (apt would pick one)."""
    by_virtual = providers(packages)
    in_archive = in_archive or set()
    seen = set()
    settled = set()  # (package, group index) of OR-groups decided without adding anything

    def satisfied(group):
        return any(alt in seen or any(p in seen for p in by_virtual.get(alt, [])) for alt in group)

    todo = [r for r in roots if r in packages]
    while todo:
        while todo:  # plain dependencies to a fixpoint
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for group in packages[name].depends:
                if len(group) == 1:
                    alt = group[0]
                    todo.extend([alt] if alt in packages else by_virtual.get(alt, []))
        for name in sorted(seen):  # then the alternatives nothing satisfies yet
            for i, group in enumerate(packages[name].depends):
                if len(group) == 1 or (name, i) in settled or satisfied(group):
                    continue
                for alt in group:
                    chosen = [alt] if alt in packages else by_virtual.get(alt, [])
                    if chosen:
                        todo.extend(chosen)
                        break
                    if alt in in_archive:
                        settled.add((name, i))  # a fresh machine installs this one
                        break
                else:
                    settled.add((name, i))
            if todo:
                break
    return seen


def uninstalled_alternatives(packages):
    """First-choice alternatives that are not installed here (nor provided by anything)."""
    by_virtual = providers(packages)
    names = set()
    for p in packages.values():
        for group in p.depends:
            if len(group) > 1 and group[0] not in packages and group[0] not in by_virtual:
                names.add(group[0])
    return names


def read_file_owners(dpkg_dir):
    """File path -> owning packages, from dpkg's per-package file lists."""
    info = os.path.join(dpkg_dir, "info")
    try:
        names = os.listdir(info)
    except OSError as e:
        raise InputError(f"{info}: cannot list dpkg's file lists ({e.strerror})")
    owners = defaultdict(set)
    for entry in names:
        if not entry.endswith(".list"):
            continue
        package = entry[: -len(".list")].split(":")[0]
        with open(os.path.join(info, entry), encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                owners[line.rstrip("\n")].add(package)
    return owners


def spellings(path):
    """A path as written and through merged-/usr (bookworm's packages still list /lib/...)."""
    out = [path]
    if path.startswith("/usr/"):
        out.append(path[len("/usr") :])
    elif path.startswith(("/lib", "/bin/", "/sbin/")):
        out.append("/usr" + path)
    return out


def owner_sets(path, owners):
    """For a path and each link it leads through (libfoo.so -> libfoo.so.1 -> libfoo.so.1.2),
    the packages owning that step; steps nobody owns are left out. Each step must be installed:
    the -dev package's link matters as much as the library it points to."""
    steps = []
    seen = set()
    p = os.path.normpath(path)
    while p not in seen:
        seen.add(p)
        found = set()
        for s in spellings(p):
            found |= owners.get(s, set())
        if found:
            steps.append((p, found))
        if not os.path.islink(p):
            real = os.path.realpath(p)
            if real != p and real not in seen:
                p = real  # a link higher up the path (a merged-/usr /lib, an alternative)
                continue
            break
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return steps


# --- what setup.sh installs ----------------------------------------------------------------


def setup_packages(setup_path):
    """The names in setup.sh's `packages=( ... )` array, read by bash itself."""
    try:
        with open(setup_path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{setup_path}: cannot read ({e})")
    m = re.search(r"^packages=\(.*?^\)", text, re.M | re.S)
    if not m:
        raise InputError(f"{setup_path}: no 'packages=( ... )' array found")
    out = subprocess.run(
        ["bash", "-c", m.group(0) + '\nprintf "%s\\n" "${packages[@]}"'],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise InputError(f"{setup_path}: bash cannot read the packages array: {out.stderr}")
    names = [n for n in out.stdout.split() if n]
    if not names:
        raise InputError(f"{setup_path}: the packages array is empty")
    return names


# --- what the build and the tests use ------------------------------------------------------


def cmake_files_read(build):
    """CMake files the configure step read, from the Makefile generator's dependency list or
    Ninja's re-run rule."""
    files = []
    makefile = os.path.join(build, "CMakeFiles", "Makefile.cmake")
    ninja = os.path.join(build, "build.ninja")
    if os.path.exists(makefile):
        with open(makefile, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        m = re.search(r"set\(CMAKE_MAKEFILE_DEPENDS(.*?)\)", text, re.S)
        if m:
            files = re.findall(r'"([^"]+)"', m.group(1))
    elif os.path.exists(ninja):
        with open(ninja, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read().replace("$\n", " ")
        m = re.search(r"^build build\.ninja.*?:\s*RERUN_CMAKE[^|\n]*\|(.*)$", text, re.M)
        if m:
            files = [t.replace("$ ", " ") for t in re.split(r"(?<!\$) +", m.group(1).strip())]
    else:
        raise InputError(f"{build}: not a configured CMake build folder (no Makefile.cmake)")
    return [os.path.normpath(os.path.join(build, f)) for f in files]


def cache_filepaths(build):
    path = os.path.join(build, "CMakeCache.txt")
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); configure the build first")
    out = []
    for line in lines:
        m = re.match(r"^([^#/][^:]*):FILEPATH=(/.*)$", line)
        if m and os.path.isfile(m.group(2)):
            out.append((m.group(1), m.group(2)))
    return out


def walk_build(build, suffix):
    for dirpath, dirnames, filenames in os.walk(build):
        dirnames[:] = [d for d in dirnames if d != "Testing"]
        for f in filenames:
            if f.endswith(suffix):
                yield os.path.join(dirpath, f)


def depfile_headers(build):
    headers = set()
    for d in walk_build(build, ".o.d"):
        with open(d, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read().replace("\\\n", " ")
        _, _, deps = text.partition(": ")
        for token in re.split(r"(?<!\\)\s+", deps):
            token = token.replace("\\ ", " ")
            if token.startswith("/"):
                headers.add(os.path.normpath(token))
    return headers


def multiarch():
    for cmd in (["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], ["gcc", "-print-multiarch"]):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return "x86_64-linux-gnu"


def link_libraries(build):
    libs = set()
    triplet = multiarch()
    search = [f"/usr/lib/{triplet}", "/usr/lib", f"/lib/{triplet}", "/lib"]
    for link in walk_build(build, "link.txt"):
        with open(link, encoding="utf-8", errors="surrogateescape") as f:
            tokens = f.read().split()
        for t in tokens[1:]:
            if t.startswith("/") and os.path.isfile(t):
                libs.add(t)
            elif t.startswith("-l") and len(t) > 2:
                for d in search:
                    for name in (f"lib{t[2:]}.so", f"lib{t[2:]}.a"):
                        if os.path.exists(os.path.join(d, name)):
                            libs.add(os.path.join(d, name))
                            break
                    else:
                        continue
                    break
    return libs


def built_programs(build):
    out = []
    for f in sorted(os.listdir(build)):
        p = os.path.join(build, f)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            with open(p, "rb") as h:
                if h.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def loaded_libraries(programs):
    libs = {}
    for prog in programs:
        out = subprocess.run(["ldd", prog], capture_output=True, text=True)
        for line in out.stdout.splitlines():
            m = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)", line)
            if m:
                libs.setdefault(m.group(1), os.path.basename(prog))
    return libs


def ctest_commands(build):
    out = subprocess.run(
        ["ctest", "--test-dir", build, "--show-only=json-v1"], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise InputError(f"{build}: ctest --show-only failed: {out.stderr.strip()}")
    commands = []
    for t in json.loads(out.stdout).get("tests", []):
        if t.get("command"):
            commands.append((t["name"], t["command"]))
    return commands


def which(program):
    if "/" in program:
        return program if os.path.isfile(program) else None
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, program)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def source_files(source, build):
    """The project's files, relative to `source`: a walk of the tree (a checkout or an unpacked
    archive alike; git need not be installed), leaving out hidden folders, build folders and
    the top-level runs/ (where the docs send outputs; the repository ignores it)."""
    build = os.path.realpath(build)
    out = []
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith((".", "__pycache__"))
            and os.path.realpath(os.path.join(dirpath, d)) != build
            and not (d == "runs" and os.path.samefile(dirpath, source))
            and not os.path.exists(os.path.join(dirpath, d, "CMakeCache.txt"))
        )
        out += [os.path.relpath(os.path.join(dirpath, f), source) for f in sorted(filenames)]
    return out


def imported_modules(path):
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), filename=path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


PYTHON = "/usr/bin/python3"  # the interpreter the project's tests and scripts run with

# Run in `PYTHON -I -s`: no script folder, no user site-packages, no PYTHON* variables, so a
# module resolves as it would for the project's tests on a fresh machine (a copy installed with
# pip in /usr/local is found, and then reported, since no package owns it).
RESOLVE = """
import importlib.util, json, sys
out = {}
for name in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        out[name] = "missing"
        continue
    origin = spec.origin
    if origin in (None, "built-in", "frozen") and spec.submodule_search_locations:
        origin = list(spec.submodule_search_locations)[0]
    out[name] = None if origin in (None, "built-in", "frozen") else origin
print(json.dumps(out))
"""


def module_files(names):
    """Top-level module -> the file PYTHON imports it from, "missing", or None (built in)."""
    if not names:
        return {}
    out = subprocess.run([PYTHON, "-I", "-s", "-c", RESOLVE, *sorted(names)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise InputError(f"{PYTHON} cannot resolve modules: {out.stderr.strip()}")
    return json.loads(out.stdout)


def project_modules(source, files):
    """Module names the project's own files define (scripts import their siblings)."""
    names = set()
    for rel in files:
        if rel.endswith(".py"):
            base = os.path.basename(rel)[:-3]
            names.add(os.path.basename(os.path.dirname(rel)) if base == "__init__" else base)
    return names


SOURCE_SUFFIXES = (".cpp", ".h", ".py", ".sh", ".cmake", "CMakeLists.txt", ".toml")
SYSTEM_PATH = re.compile(r"""(?<![\w./-])(/(?:usr|etc|opt|lib)/[A-Za-z0-9_.+/-]+)""")


def named_system_paths(source, files):
    found = {}
    for rel in files:
        # The check and its tests name system paths as examples, not as things they use.
        if not rel.endswith(SOURCE_SUFFIXES) or "check_setup_packages" in rel:
            continue
        try:
            with open(os.path.join(source, rel), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        for m in SYSTEM_PATH.finditer(text):
            p = m.group(1).rstrip(".")
            if os.path.exists(p):
                found.setdefault(p, rel)
    return found


# --- the check ---------------------------------------------------------------------------


def used_files(build, source):
    """(path, why) for everything the build and the tests touch on the system."""
    used = []
    for f in cmake_files_read(build):
        used.append((f, "read by CMake's configure step"))
    for key, f in cache_filepaths(build):
        used.append((f, f"found by CMake ({key})"))
    for h in sorted(depfile_headers(build)):
        used.append((h, "included by the compiled sources"))
    for lib in sorted(link_libraries(build)):
        used.append((lib, "on a link line"))
    for lib, prog in sorted(loaded_libraries(built_programs(build)).items()):
        used.append((lib, f"loaded by build/{prog}"))
    files = source_files(source, build)
    own = project_modules(source, files)
    wanted = []  # (module, why)
    for name, cmd in ctest_commands(build):
        exe = which(cmd[0])
        if exe:
            used.append((exe, f"run by test '{name}'"))
        if "-m" in cmd[:-1] and os.path.basename(cmd[0]).startswith("python"):
            module = cmd[cmd.index("-m") + 1].split(".")[0]
            wanted.append((module, f"run by test '{name}' (python3 -m {module})"))
    for rel in (f for f in files if f.endswith(".py")):
        try:
            modules = imported_modules(os.path.join(source, rel))
        except (SyntaxError, OSError) as e:
            raise InputError(f"{rel}: cannot parse ({e})")
        wanted += [(m, f"imported by {rel}") for m in sorted(modules) if m not in own]
    origins = module_files({m for m, _ in wanted})
    for module, why in wanted:
        origin = origins.get(module)
        if origin == "missing":
            used.append((f"<python module {module}>", why))
        elif origin:
            used.append((origin, why))
    for p, rel in sorted(named_system_paths(source, files).items()):
        used.append((p, f"named in {rel}"))
    return used


def check(build, source, setup, without, dpkg_dir, out):
    packages = read_status(dpkg_dir)
    listed = setup_packages(setup)
    dropped = [w for w in without if w not in listed]
    if dropped:
        raise InputError(f"--without {' '.join(dropped)}: not in {setup}'s packages")
    listed = [p for p in listed if p not in without]
    not_installed = [p for p in listed if p not in packages]
    base = minimal_system(packages)
    in_archive = archive_packages(uninstalled_alternatives(packages))
    covered = closure(set(listed) | base, packages, in_archive)
    owners = read_file_owners(dpkg_dir)

    problems = defaultdict(list)  # package -> [(path, why)]
    missing_modules = []
    unowned_modules = []
    unowned = 0
    checked = 0
    for path, why in used_files(build, source):
        if path.startswith("<python module"):
            missing_modules.append((path, why))
            continue
        if path.startswith((os.path.realpath(build) + os.sep, os.path.realpath(source) + os.sep)):
            continue
        checked += 1
        steps = owner_sets(path, owners)
        if not steps:
            if "imported by" in why or "python3 -m" in why:
                unowned_modules.append((path, why))  # pip, /usr/local: not on a fresh machine
            unowned += 1  # else made by a maintainer script, an alternatives link, ...
            continue
        for step, pkgs in steps:
            if not pkgs & covered:
                for p in sorted(pkgs):
                    shown = path if step == path else f"{path} (-> {step})"
                    problems[p].append((shown, why))

    print(
        f"setup.sh lists {len(listed)} packages; with their Depends/Pre-Depends and a minimal "
        f"Debian ({len(base)} packages) a fresh machine gets {len(covered)} packages; "
        f"{checked} files used by the build and the tests checked ({unowned} belong to no "
        f"package)",
        file=out,
    )
    ok = True
    if not_installed:
        ok = False
        print(f"not installed here although setup.sh lists them: {' '.join(not_installed)}", file=out)
    if in_archive is None:
        print("note: apt has no package lists here, so alternatives (a | b) were judged by what "
              "is installed only", file=out)
    for module, why in missing_modules:
        ok = False
        print(f"{module} {why} is not importable by {PYTHON}", file=out)
    for path, why in unowned_modules:
        ok = False
        print(f"{path} ({why}) belongs to no Debian package (installed by pip or by hand?)",
              file=out)
    for package in sorted(problems):
        ok = False
        files = problems[package]
        print(
            f"package {package} is not installed by setup.sh (neither listed nor a hard "
            f"dependency of a listed package), but {len(files)} file(s) of it are used:",
            file=out,
        )
        for path, why in files[:5]:
            print(f"  {path}: {why}", file=out)
        if len(files) > 5:
            print(f"  ... and {len(files) - 5} more", file=out)
    if ok:
        print("every file used belongs to a package setup.sh installs", file=out)
    return ok


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", default=os.path.dirname(here))
    parser.add_argument("--setup", default=None, help="default: SOURCE/scripts/setup.sh")
    parser.add_argument("--without", nargs="*", default=[], metavar="PKG")
    parser.add_argument("--dpkg-dir", default="/var/lib/dpkg")
    args = parser.parse_args(argv)
    setup = args.setup or os.path.join(args.source_dir, "scripts", "setup.sh")
    try:
        ok = check(
            os.path.abspath(args.build_dir),
            os.path.abspath(args.source_dir),
            setup,
            args.without,
            args.dpkg_dir,
            sys.stdout,
        )
    except InputError as e:
        print(f"check_setup_packages: {e}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
