"""scripts/check_setup_packages.py: the guard that setup.sh installs every package the build and
the tests use. Runs under pytest through CTest; MPSIM_BUILD_DIR names the configured build."""
import io
import os
import subprocess
import sys

import pytest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))
import check_setup_packages as guard  # noqa: E402

SCRIPT = os.path.join(SOURCE, "scripts", "check_setup_packages.py")


def build_dir():
    d = os.environ.get("MPSIM_BUILD_DIR")
    if not d:
        pytest.fail("MPSIM_BUILD_DIR is not set (CTest sets it to the build folder)")
    return d


def run_guard(*args):
    return subprocess.run(
        [sys.executable, SCRIPT, "--build-dir", build_dir(), "--source-dir", SOURCE, *args],
        capture_output=True,
        text=True,
    )


def test_setup_installs_every_package_the_build_and_tests_use():
    r = run_guard()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "every file used belongs to a package setup.sh installs" in r.stdout


def test_guard_names_the_package_setup_sh_once_missed():
    # setup.sh once lacked ocl-icd-opencl-dev, which libdnnl-dev only recommends but oneDNN's
    # CMake package requires: the configure step failed on every fresh machine.
    r = run_guard("--without", "ocl-icd-opencl-dev")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "package ocl-icd-opencl-dev is not installed by setup.sh" in r.stdout
    assert "/usr/lib/x86_64-linux-gnu/libOpenCL.so: on a link line" in r.stdout


def test_guard_names_a_python_module_no_listed_package_provides():
    r = run_guard("--without", "python3-onnx")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "package python3-onnx is not installed by setup.sh" in r.stdout
    assert "imported by scripts/export_test_models.py" in r.stdout


def test_bad_input_is_exit_2_with_a_message(tmp_path):
    r = subprocess.run(
        [sys.executable, SCRIPT, "--build-dir", str(tmp_path), "--source-dir", SOURCE],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "not a configured CMake build folder" in r.stderr
    r = run_guard("--without", "no-such-package")
    assert r.returncode == 2
    assert "--without no-such-package: not in" in r.stderr


# --- the dependency closure on a made-up dpkg database ------------------------------------

STATUS = """\
Package: base-files
Status: install ok installed
Essential: yes
Priority: required

Package: tool
Status: install ok installed
Priority: optional
Pre-Depends: libpre (>= 1.0)
Depends: libfirst:any | libsecond, virtual-thing, libnothere | libfallback
Recommends: extra

Package: libpre
Status: install ok installed

Package: libfirst
Status: install ok installed

Package: libsecond
Status: install ok installed

Package: provider
Status: install ok installed
Provides: virtual-thing (= 2)

Package: libfallback
Status: install ok installed

Package: needs-second
Status: install ok installed
Depends: libsecond

Package: extra
Status: install ok installed

Package: removed
Status: deinstall ok config-files
"""


@pytest.fixture
def dpkg(tmp_path):
    (tmp_path / "status").write_text(STATUS)
    (tmp_path / "info").mkdir()
    (tmp_path / "info" / "extra.list").write_text("/usr\n/usr/lib/libextra.so\n")
    (tmp_path / "info" / "libfirst:amd64.list").write_text("/lib/x86_64-linux-gnu/libfirst.so.1\n")
    return tmp_path


def test_closure_follows_hard_dependencies_only(dpkg):
    packages = guard.read_status(str(dpkg))
    assert "removed" not in packages
    base = guard.minimal_system(packages)
    assert base == {"base-files"}
    got = guard.closure({"tool"} | base, packages)
    # Pre-Depends, the first installed alternative, a virtual package's provider, and a later
    # alternative when the first is not installed; never Recommends.
    assert got == {"base-files", "tool", "libpre", "libfirst", "provider", "libfallback"}
    assert "libsecond" not in got and "extra" not in got
    # An alternative a fresh machine would install first (it is in the archive) takes the place
    # of the installed later one.
    got = guard.closure({"tool"}, packages, in_archive={"libnothere"})
    assert "libfallback" not in got
    # An OR-group that a plain dependency already satisfies adds nothing.
    got = guard.closure({"tool", "needs-second"}, packages)
    assert "libsecond" in got and "libfirst" not in got


def test_relations_drop_versions_and_architectures():
    assert guard.parse_relations("a (>= 1) | b:any, c [amd64], d <!nocheck>") == [
        ["a", "b"],
        ["c"],
        ["d"],
    ]


def test_file_owners_follow_merged_usr_and_links(dpkg, tmp_path):
    owners = guard.read_file_owners(str(dpkg))
    assert owners["/usr/lib/libextra.so"] == {"extra"}
    assert owners["/lib/x86_64-linux-gnu/libfirst.so.1"] == {"libfirst"}
    steps = guard.owner_sets("/usr/lib/x86_64-linux-gnu/libfirst.so.1", owners)
    assert steps and steps[0][1] == {"libfirst"}
    # A link owned by one package into a file owned by another: both steps are reported.
    target = tmp_path / "lib.so.1"
    target.write_text("")
    link = tmp_path / "lib.so"
    link.symlink_to(target.name)
    owners[str(link)] = {"lib-dev"}
    owners[str(target)] = {"lib1"}
    assert guard.owner_sets(str(link), owners) == [(str(link), {"lib-dev"}), (str(target), {"lib1"})]


def test_setup_packages_are_read_by_bash(tmp_path):
    setup = tmp_path / "setup.sh"
    setup.write_text("x=1\npackages=(\n  # comment\n  a b  # trailing\n  c\n)\nrest\n")
    assert guard.setup_packages(str(setup)) == ["a", "b", "c"]
    setup.write_text("echo no array\n")
    with pytest.raises(guard.InputError, match="no 'packages=\\( ... \\)' array"):
        guard.setup_packages(str(setup))


def test_real_setup_sh_lists_the_build_essentials():
    listed = guard.setup_packages(os.path.join(SOURCE, "scripts", "setup.sh"))
    for p in ("build-essential", "cmake", "libdnnl-dev", "ocl-icd-opencl-dev", "python3-pytest"):
        assert p in listed



def test_modules_resolve_as_on_a_fresh_machine():
    got = guard.module_files({"json", "sys", "no_such_module_here", "onnx"})
    assert got["json"].startswith("/usr/lib/python3")
    assert got["sys"] is None  # built in
    assert got["no_such_module_here"] == "missing"
    assert got["onnx"].startswith("/usr/lib/python3/dist-packages/onnx")
    # The project's own modules (scripts import their siblings) are not looked up.
    files = ["scripts/train_fashion_mnist.py", "python/mpsim/__init__.py", "README.md"]
    assert guard.project_modules(SOURCE, files) == {"train_fashion_mnist", "mpsim"}
