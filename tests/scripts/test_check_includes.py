"""scripts/check_includes.py: no include crosses into another folder's src/, dependencies point
one way, SystemC stays in sim/. Runs under pytest through CTest."""
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))
import check_includes as guard  # noqa: E402

SCRIPT = os.path.join(SOURCE, "scripts", "check_includes.py")


def run_check(root):
    return subprocess.run(
        [sys.executable, SCRIPT, "--source-dir", str(root)], capture_output=True, text=True
    )


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_the_projects_sources_keep_every_rule():
    r = run_check(SOURCE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "every include keeps the project's rules" in r.stdout


def test_an_include_of_another_folders_src_is_named(tmp_path):
    write(tmp_path, "costmodel/src/reader.cpp", '#include "workloads/src/config_reader.h"\n')
    write(tmp_path, "workloads/src/own.cpp", '#include "workloads/src/config_reader.h"\n')
    problems = guard.check_tree(str(tmp_path))
    assert problems == [
        "costmodel/src/reader.cpp:1: includes workloads/src/config_reader.h, "
        "a private header of workloads/"
    ]


def test_an_include_against_the_arrows_is_named(tmp_path):
    write(tmp_path, "formats/format.h", '#pragma once\n#include "workloads/network.h"\n')
    write(tmp_path, "quant/engine.h", '#include "sim/simulator.h"\n#include "workloads/x.h"\n')
    write(tmp_path, "apps/cli.cpp", '#include "explore/sweep.h"\n')
    problems = guard.check_tree(str(tmp_path))
    assert len(problems) == 2
    assert problems[0].startswith("formats/format.h:2: includes workloads/network.h, but formats/")
    assert "(it may use: nothing)" in problems[0]
    assert problems[1].startswith("quant/engine.h:1: includes sim/simulator.h, but quant/")


def test_systemc_outside_sim_is_named(tmp_path):
    write(tmp_path, "explore/src/run.cpp", "#include <systemc>\n#include <vector>\n")
    write(tmp_path, "sim/src/top.h", "#include <systemc>\n#include <tlm_utils/peq_with_get.h>\n")
    problems = guard.check_tree(str(tmp_path))
    assert problems == ["explore/src/run.cpp:1: includes <systemc>; SystemC stays inside sim/"]


def test_exit_status_says_whether_rules_hold(tmp_path):
    write(tmp_path, "search/x.cpp", '#include "quant/src/kernels.h"\n')
    r = run_check(tmp_path)
    assert r.returncode == 1
    assert "search/x.cpp:1: includes quant/src/kernels.h" in r.stdout
    r = run_check(tmp_path / "missing")
    assert r.returncode == 2
    assert "not a folder" in r.stderr
