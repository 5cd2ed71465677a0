"""
meshd topotests run on FRR's own topotest library, taken from the FRR tree
the meshd build prepared (tools/frr-tree), so scenarios here read and run
exactly like the ones in FRR's tests/topotests.

This file makes that library importable and takes over FRR's pytest hooks
and fixtures (logging, memory-leak checks, --topology-only, CLI on
failure...).
"""

import importlib.util
import os
import subprocess
import sys

_top = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
_tree = os.environ.get("MESHD_FRR_TREE") or subprocess.check_output(
    [os.path.join(_top, "tools", "frr-tree"), "path"], text=True
).strip()
FRR_TOPOTESTS = os.path.join(_tree, "tests", "topotests")
if not os.path.isdir(os.path.join(FRR_TOPOTESTS, "lib")):
    raise RuntimeError(
        "FRR topotest library not found in %s: build first (tools/setup)" % _tree
    )
sys.path.insert(0, FRR_TOPOTESTS)

_spec = importlib.util.spec_from_file_location(
    "frr_conftest", os.path.join(FRR_TOPOTESTS, "conftest.py")
)
_frr_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_frr_conftest)
globals().update(
    {k: v for k, v in vars(_frr_conftest).items() if not k.startswith("__")}
)
