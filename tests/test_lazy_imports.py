"""What each command loads: a property of the import graph, not a timing.

``escalation --help`` builds its parser from the standard library alone, ``validate`` reads
scenarios without Mesa, matplotlib or scipy, and the model imports neither ``scipy.stats`` nor
matplotlib. Each check runs in a fresh interpreter (``python -c``), since this test process has
long since imported everything, and reads ``sys.modules`` at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

#: never needed to build the parser (nor to print any --help)
NOT_FOR_HELP = (
    "mesa",
    "matplotlib",
    "scipy",
    "pandas",
    "pyarrow",
    "numpy",
    "pydantic",
    "yaml",
    "rich",
)
#: never needed to validate a scenario
NOT_FOR_VALIDATE = ("mesa", "matplotlib", "scipy", "pandas", "pyarrow")


def loaded_after(code: str, watch: tuple[str, ...]) -> list[str]:
    """The modules of ``watch`` loaded after ``code`` runs in a new python.

    A stand-in of :mod:`simulator.deferred` whose code has not run does not count.
    """
    script = (
        "import sys\n"
        f"{code}\n"
        f"loaded = [m for m in {watch!r} if type(sys.modules.get(m)).__name__ == 'module']\n"
        "print('\\n' + __import__('json').dumps(sorted(loaded)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


def printed_by(script: str) -> list[str]:
    """The words ``script`` prints, run in a new python."""
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return proc.stdout.split()


def main_exits(argv: list[str]) -> str:
    """Code that calls ``simulator.cli.main(argv)`` quietly and goes on whatever it returns."""
    return (
        "import contextlib, io\n"
        "from simulator.cli import main\n"
        "quiet = io.StringIO()\n"
        "with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass"
    )


def test_building_the_parser_loads_no_library():
    code = "from simulator.cli import build_parser\nbuild_parser().format_help()"
    assert loaded_after(code, NOT_FOR_HELP) == []


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["sweep", "--help"]])
def test_help_loads_no_library(argv):
    assert loaded_after(main_exits(argv), NOT_FOR_HELP) == []


def test_validate_loads_no_model_plots_or_tables():
    code = main_exits(["validate", str(BASELINE), "--set", "horizon_days=120"])
    assert loaded_after(code, NOT_FOR_VALIDATE + ("scipy.spatial",)) == []


def test_an_invalid_file_is_still_reported_as_bad_input(tmp_path):
    """The exceptions main() catches are imported after parsing; they are caught all the same."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nhorizon_days: -3\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    for argv in (["validate", str(broken)], ["run", str(missing), "--out", str(tmp_path / "o")]):
        proc = subprocess.run(
            [sys.executable, "-m", "simulator", *argv], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_the_model_loads_neither_scipy_stats_nor_matplotlib():
    """scipy.stats costs more to import than a 1,000-replicate run takes to simulate."""
    code = "import simulator.experiment.simulate, simulator.model.world"
    assert loaded_after(code, ("scipy.stats", "matplotlib")) == []


def test_mesa_loads_without_its_continuous_space_until_it_is_used():
    """scipy.spatial (0.15 s) comes with Mesa's continuous space, which the model never uses.

    :mod:`simulator.deferred` stands in for it: the model runs without it, and the first use of
    the space loads the real module, the same classes as a plain ``import mesa`` gives.
    """
    code = "import simulator.experiment.simulate, simulator.model.world, simulator.console"
    assert loaded_after(code, ("scipy.spatial", "mesa")) == ["mesa"]
    script = (
        "import sys, simulator, mesa\n"
        "space = mesa.experimental.continuous_space\n"
        "print(type(space).__name__, 'scipy.spatial' in sys.modules)\n"
        "from mesa.experimental.continuous_space import ContinuousSpace\n"
        "from mesa.experimental.continuous_space.continuous_space import ContinuousSpace as C\n"
        "import numpy as np\n"
        "s = ContinuousSpace([[0, 1], [0, 1]], torus=False, random=np.random.default_rng(0))\n"
        "print(type(space).__name__, 'scipy.spatial' in sys.modules, C is ContinuousSpace,\n"
        "      space.ContinuousSpace is C, s.width)\n"
    )
    assert printed_by(script) == ["_OnFirstUse", "False", "module", "True", "True", "True", "1"]


def test_the_model_takes_scipys_compiled_special_functions_without_their_package_code():
    """scipy.special's package code (its array-API layer: 0.2 s) stays unloaded by the model,
    which takes four compiled functions from scipy.special._ufuncs; asking scipy.special for
    anything loads the package then, and gives the very same functions."""
    code = "import simulator.experiment.simulate, simulator.model.world, simulator.console"
    watch = ("scipy.special._ufuncs", "scipy.special._basic", "scipy.special._logsumexp")
    assert loaded_after(code, watch) == ["scipy.special._ufuncs"]
    script = (
        "import sys, simulator.model.world\n"
        "from simulator.model import special\n"
        "stand_in = type(sys.modules['scipy.special']).__name__\n"
        "import scipy.special as sp\n"
        "same = [sp.ndtri is special.ndtri, sp.pdtrc is special.pdtrc, sp.binom is special.binom]\n"
        "print(stand_in, type(sp).__name__, *same, callable(sp.logsumexp))\n"
    )
    assert printed_by(script) == ["_OnFirstUse", "module", "True", "True", "True", "True"]


def test_listing_a_deferred_modules_names_loads_it():
    """``dir`` (a notebook's completion) on a stand-in gives the real module's names."""
    script = (
        "import sys, simulator.model.world\n"
        "import scipy.special as sp\n"
        "before = type(sp).__name__\n"
        "names = dir(sp)\n"
        "print(before, type(sp).__name__, 'gamma' in names, 'logsumexp' in names)\n"
    )
    assert printed_by(script) == ["_OnFirstUse", "module", "True", "True"]


def test_comb_is_scipys_bit_for_bit():
    """The binomial deaths' coefficients: scipy.special.comb (exact=False), the same numbers,
    for arrays and numbers, inside and outside 0 <= k <= N."""
    import numpy as np
    from scipy.special import comb as scipy_comb

    from simulator.model.special import comb

    n = np.arange(-3, 1_100, dtype=np.float64)[None, :]
    k = np.concatenate([np.arange(-2, 60), [514, 1_029, 1_099, 1_200]]).astype(np.float64)[:, None]
    with np.errstate(over="ignore"):
        expected, got = scipy_comb(n, k), comb(n, k)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got.view(np.uint64), expected.view(np.uint64))
    for a, b in [(5.0, 2.0), (5.0, 7.0), (-1.0, 0.0), (4, 4), (0, 0)]:
        assert np.float64(comb(a, b)).tobytes() == np.float64(scipy_comb(a, b)).tobytes()


def test_nothing_is_deferred_once_its_package_is_imported():
    from simulator.deferred import defer

    assert defer("mesa.experimental.continuous_space") is False  # mesa is loaded in this process
    assert defer("scipy.special") is False  # and scipy
    assert defer("no_such_package.sub") is False
    assert defer("no_such_package") is False
    assert defer("json") is False  # imported already
    assert defer("pandas") is False


def test_the_model_alone_loads_neither_pandas_nor_pyarrow():
    """Mesa imports pandas for its data frames: 66 MB with pyarrow, for a model that never uses
    them. A script that builds and runs the model leaves both unloaded (and the memory target
    of one model of 100,000 replicates needs that); writing a table loads them."""
    code = (
        "from simulator.scenario import load_scenario\n"
        "from simulator.model import EscalationModel\n"
        "from simulator.experiment.simulate import release\n"
        f"model = EscalationModel(load_scenario({str(BASELINE)!r}), replicates=20)\n"
        "model.run()\n"
        "release(model)"
    )
    assert loaded_after(code, ("pandas", "pyarrow")) == []
    tables = code + "\nimport simulator.experiment.simulate as s\ns.simulate(model.scenario, 5)"
    assert loaded_after(tables, ("pandas",)) == ["pandas"]


def _package(root: Path, name: str, init: str, **submodules: str) -> None:
    """A package ``name`` under ``root`` that counts how often each of its modules runs."""
    count = "import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', []) + [__name__]\n"
    (root / name).mkdir()
    (root / name / "__init__.py").write_text(count + init)
    for sub, body in submodules.items():
        (root / name / f"{sub}.py").write_text(count + body)


def test_a_submodule_of_a_stand_in_loads_its_package_first_and_only_once(tmp_path):
    """``import pkg.sub`` before any use of ``pkg``: the package's code runs first, as in a
    plain import, and each module runs once (the submodule the package imported is the one
    given, never a second copy)."""
    _package(tmp_path, "pkg", "from pkg import sub\nVALUE = 7\n", sub="X = 1\n", other="Y = 2\n")
    script = (
        f"import sys, builtins\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "from simulator.deferred import defer\n"
        "print(defer('pkg'))\n"
        "import pkg\n"
        "print(type(pkg).__name__, getattr(builtins, 'RUNS', []))\n"
        "import pkg.sub as s\n"
        "import pkg.other as o\n"
        "print(type(pkg).__name__, s is pkg.sub is sys.modules['pkg.sub'], o is pkg.other)\n"
        "print(builtins.RUNS, pkg.VALUE, s.X, o.Y)\n"
    )
    assert printed_by(script) == [
        "True",
        *("_OnFirstUse", "[]"),
        *("module", "True", "True"),
        *("['pkg',", "'pkg.sub',", "'pkg.other']", "7", "1", "2"),
    ]


def test_a_stand_in_used_by_two_threads_at_once_loads_once(tmp_path):
    _package(tmp_path, "slow", "import time\ntime.sleep(0.3)\nVALUE = 7\n")
    script = (
        f"import sys, builtins, threading\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "from simulator.deferred import defer\n"
        "defer('slow')\n"
        "import slow\n"
        "got = []\n"
        "threads = [threading.Thread(target=lambda: got.append(slow.VALUE)) for _ in range(4)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(got, builtins.RUNS)\n"
    )
    assert printed_by(script) == ["[7,", "7,", "7,", "7]", "['slow']"]


def test_load_runs_a_stand_ins_code_now(tmp_path):
    """What a process warming up for work calls (the early helper that reads the tables)."""
    _package(tmp_path, "pkg", "VALUE = 7\n")
    script = (
        f"import sys, builtins\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "from simulator.deferred import defer, load\n"
        "defer('pkg')\n"
        "import pkg\n"
        "print(type(pkg).__name__, load('pkg') is pkg, type(pkg).__name__, builtins.RUNS)\n"
        "print(load('json').__name__)\n"
    )
    assert printed_by(script) == ["_OnFirstUse", "True", "module", "['pkg']", "json"]


def test_pandas_submodules_imported_first_are_pandas_own():
    script = (
        "import sys, simulator.model.world\n"
        "from pandas.api.types import is_integer_dtype\n"
        "import pandas as pd\n"
        "print(type(pd).__name__, is_integer_dtype is pd.api.types.is_integer_dtype,\n"
        "      pd.DataFrame({'a': [1, 2]}).a.sum())\n"
    )
    assert printed_by(script) == ["module", "True", "3"]


def test_the_parser_names_every_sweep_design():
    from simulator import cli
    from simulator.experiment.designs import DESIGNS

    assert tuple(cli.DESIGNS) == tuple(DESIGNS)


def test_poisson_sf_is_scipy_stats_bit_for_bit():
    """The red lines' trip chances use scipy.special directly: the very same numbers."""
    import numpy as np
    from scipy.stats import poisson

    from simulator.model.redlines import poisson_sf

    rng = np.random.default_rng(7)
    means = np.concatenate(
        [[0.0, 5e-324, 1.0, 499.0, 500.0], rng.uniform(0, 2, 500), rng.uniform(0, 500, 500)]
    )
    for k in [-3, -1, 0, 1, 2, 5, 30, 499, 10_000]:
        expected = poisson.sf(k, means)
        got = poisson_sf(k, means)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got.view(np.uint64), expected.view(np.uint64)), k


def test_the_console_script_freezes_the_collector_before_the_process_ends() -> None:
    """``escalation`` is :func:`simulator.cli.command`: main's status, then a frozen collector.

    The freeze spares the process a teardown that walks every live object (0.35-0.4 s after a
    run); the status is main's, and the same through ``python -m simulator``.
    """
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["escalation"] == "simulator.cli:command"
    script = (
        "import gc, sys\n"
        f"sys.argv = ['escalation', 'validate', {str(BASELINE)!r}]\n"
        "from simulator.cli import command\n"
        "code = command()\n"
        "print(code, gc.get_freeze_count() > 0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-2:] == ["0", "True"]
    broken = subprocess.run(
        [sys.executable, "-m", "simulator", "validate", str(ROOT / "no-such.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 2
