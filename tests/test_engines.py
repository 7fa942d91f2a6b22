"""The compiled engine gives the numpy engine's bytes, and says so when it cannot run.

The numpy model is the readable reference; :mod:`simulator.model.compiled` mirrors parts of it
in numba kernels (issue 12). Every scenario of the library, stacked design points and the fuzz
test's accepted scenarios (tests/test_fuzz.py) must come out identical, down to the bits of
every float. Each kernel also pins the source of the numpy code it mirrors: editing that code
without the kernel fails here, even where no scenario reaches the change.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import io
import sys
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from identical import same_bytes, same_tables, vary

from simulator.cli import main
from simulator.experiment.simulate import release, replicate_rows, simulate
from simulator.model import EscalationModel
from simulator.model import engine as engines
from simulator.scenario import load_scenario, validate_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
needs_numba = pytest.mark.skipif(
    not engines.compiled_available(), reason='numba is not installed (pip install -e ".[test]")'
)


@needs_numba
def test_the_compiled_rung_counts_are_bincounts() -> None:
    """Each actor's moves per rung, as world.rung_counts' bincount gives them (first in this
    file: a wrong count sizes the day's buffers wrongly, so later tests would not fail cleanly)."""
    from simulator.model import compiled, world

    gen = np.random.default_rng(4)
    for R in (1, 3, 4, 5, 1_001):
        rung = gen.choice(13, size=(5, R), p=[0.6, *([0.4 / 12] * 12)])
        expected = world.rung_counts(rung, 13)
        got = compiled.rung_counts(rung, 13)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), R


@needs_numba
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_engines_give_the_same_tables_on_every_scenario(path: Path) -> None:
    scenario = load_scenario(path)
    tables = {
        e: simulate(scenario, replicates=150, event_log="all", engine=e, chunk=100)
        for e in engines.ENGINES
    }
    same_tables(tables["numpy"], tables["compiled"], path.stem)


@needs_numba
def test_the_engines_agree_on_stacked_design_points() -> None:
    """Numbers that differ by column (3 points), with wars and ceasefires among the columns."""
    rng = np.random.default_rng(12)
    wars = SCENARIOS[0].parent / "militias_off_leash.yaml"
    ceasefires = 0
    for path in (SCENARIOS[0], SCENARIOS[4], wars):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        points = [validate_scenario(vary(data, rng), f"{path.stem} {p}") for p in range(3)]
        rows = {}
        for e in engines.ENGINES:
            model = EscalationModel(points[0], replicates=40, points=points, engine=e)
            model.run()
            rows[e] = replicate_rows(model)
            release(model)
        same_bytes(rows["numpy"], rows["compiled"], path.stem)
        ceasefires += int((rows["numpy"]["first_ceasefire_day"] >= 0).sum())
    assert ceasefires > 10  # the war kernel's every branch is reached


@needs_numba
@pytest.mark.parametrize(
    "patch",
    [
        {"trigger": "casualties", "against": "attributed", "threshold": 2},
        {"trigger": "attacks", "against": "named"},
        {"trigger": "casualties", "against": "both", "covers": ["forces", "territory", "proxies"]},
        {"trigger": "deaths", "against": "perpetrator", "covers": ["proxies", "forces"]},
        {"trigger": "deaths", "against": "attributed", "threshold": 3},
    ],
    ids=["attributed-casualties", "named-attacks", "both-casualties", "perpetrator", "threshold"],
)
def test_the_engines_agree_on_every_kind_of_red_line(patch: dict[str, object]) -> None:
    """Each trigger and each `against` of the red lines, which the library does not all use."""
    data = yaml.safe_load((SCENARIOS[0].parent / "militias_off_leash.yaml").read_text())
    for name, spec in data["actors"].items():
        for line in spec.get("red_lines") or []:
            line.update(patch)
            if patch["against"] == "named":  # someone other than the owner
                line["against"] = "KH" if name != "KH" else "US"
    scenario = validate_scenario(data, str(patch))
    rows, tripped = {}, 0
    for e in engines.ENGINES:
        model = EscalationModel(scenario, replicates=100, engine=e)
        model.run()
        rows[e] = replicate_rows(model)
        tripped = int(model.recorder.red_lines_tripped.sum())
        release(model)
    same_bytes(rows["numpy"], rows["compiled"], str(patch))
    assert tripped > 10


@needs_numba
def test_the_engines_agree_when_a_war_names_an_enemy_outside_the_targets() -> None:
    """Israel is not among Iran's rivals: struck by an Israeli major strike, Iran is at war with
    an actor it does not aim at, and a state at war aims at the enemy it values most. The
    compiled engine works out that enemy's value too (not only its targets'), as numpy does."""
    data = yaml.safe_load((SCENARIOS[0].parent / "israel_covert.yaml").read_text())
    strike = {"date": "2020-12-24", "kind": "action", "actor": "Israel", "rung": "major_strike"}
    data["events"].append({**strike, "target": "Iran", "label": "a forced war"})
    scenario = validate_scenario(data, "israel_covert with a forced war")
    iran, israel = list(scenario.actors).index("Iran"), list(scenario.actors).index("Israel")
    rows, aimed = {}, {}
    for e in engines.ENGINES:
        model = EscalationModel(scenario, replicates=60, engine=e)
        for _ in range(10):  # the strike on day 4, then days of war
            model.step()
        aimed[e] = int((model._moves[1][iran] == israel).sum())
        model.run()
        rows[e] = replicate_rows(model)
        release(model)
    assert aimed["numpy"] > 0  # Iran fights back at the enemy it does not otherwise aim at
    assert aimed["compiled"] == aimed["numpy"]
    same_bytes(rows["numpy"], rows["compiled"], "forced war")


def _step_alike(
    models: list[EscalationModel], label: str, state: Callable[[EscalationModel], dict]
) -> None:
    """Step each engine's model a day; the ``state`` of each (name → array) must be the same
    bytes."""
    for model in models:
        model.step()
    a, b = (state(model) for model in models)
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), (
            f"{label}: {name} differs on day {models[0].day}"
        )


@needs_numba
def test_the_engines_agree_on_days_of_several_wars_at_once() -> None:
    """Three states, each pair at war in columns of its own: Iran, fighting the US in some
    columns and Israel in others (both in some), is worn down wherever it fights either, aims at
    the enemy it values most among those it fights there, and the record counts a day of war
    wherever any pair fights. The library's wars are between two states, where the last pair
    that fights stands for all of them: here it does not."""
    scenario = load_scenario(SCENARIOS[0].parent / "israel_covert.yaml")
    names = list(scenario.actors)
    us, iran, israel = (names.index(name) for name in ("US", "Iran", "Israel"))
    R = 300
    gen = np.random.default_rng(30)
    wars = np.zeros((len(names), len(names), R), dtype=bool)
    for a, b in ((us, iran), (iran, israel), (us, israel)):
        wars[a, b] = wars[b, a] = gen.random(R) < 0.5
    since = gen.integers(-12, 1, size=wars.shape)  # each side's last conciliation, days back
    models = [EscalationModel(scenario, replicates=R, engine=e) for e in engines.ENGINES]
    try:
        for model in models:
            for _ in range(3):
                model.step()
            model.at_war[...] = wars
            model.last_conciliation[...] = model.day + since
            model.recorder.first_war[wars.any(axis=(0, 1))] = model.day - 1
        one_war = wars[iran, us] ^ wars[iran, israel]
        assert one_war.sum() > 100 and (wars[iran, us] & wars[iran, israel]).sum() > 50
        for _ in range(12):
            _step_alike(models, "several wars", lambda m: {
                "at war": m.at_war,
                "weariness": m.weariness,
                "last conciliation": m.last_conciliation,
                "rungs": m._moves[0].astype(np.int64),  # (int16 in the compiled engine)
                "targets": m._moves[1].astype(np.int64),
                "days at war": m.recorder.war_days,
                "first ceasefire": m.recorder.first_ceasefire,
            })  # fmt: skip
        assert (models[0].recorder.first_ceasefire >= 0).sum() > 20  # and wars ended
    finally:
        for model in models:
            release(model)


@needs_numba
def test_the_engines_agree_on_the_losses_of_more_actors_than_a_mask_has_bits() -> None:
    """The compiled engine clears a day's losses cell by cell, where a mask per column says
    which actors' rows were written (a bit each, all bits from the 64th actor on). With 71
    actors, the militias past the 63rd strike too: their rows must be cleared like the rest,
    and the record's tallies read them, day after day."""
    data = yaml.safe_load((SCENARIOS[0].parent / "baseline.yaml").read_text())
    for j in range(2, 68):
        data["actors"][f"KH{j}"] = dict(data["actors"]["KH"])
    scenario = validate_scenario(data, "seventy-one actors")
    models = [EscalationModel(scenario, replicates=40, engine=e) for e in engines.ENGINES]
    late_losses = 0  # days on which an actor past the 63rd caused or took losses
    try:
        for _ in range(15):
            _step_alike(models, "71 actors", lambda m: {
                "the day's losses": m.day_losses._arrays,
                "casualties": m.recorder.casualties,
                "deaths": m.recorder.deaths,
                "lethal attacks": m.recorder.lethal_attacks,
                "damage": m.recorder.damage,
            })  # fmt: skip
            late_losses += bool(models[1].day_losses._arrays[:, 63:].any())
        assert late_losses >= 3
    finally:
        for model in models:
            release(model)


def _traced(scenario, replicate: int, engine: str) -> tuple[str, bytes]:
    """A one-column model's trace (every actor's move and desire, day by day) and its index."""
    model = EscalationModel(scenario, replicates=1, first_replicate=replicate, trace=True,
                            engine=engine)  # fmt: skip
    model.run()
    assert model.tracer is not None
    kept = repr(model.tracer.days), model.recorder.escalation.tobytes()
    release(model)
    return kept


@needs_numba
def test_the_engines_keep_the_same_trace_of_a_one_column_model(nine_actors) -> None:
    """A model of one column (a replay, mesa's batch_run) sums over its actors row after row in
    both engines, as a wide model does (``points.sum_rows``). The trace shows each actor's desire
    to the last bit, and a mediator's desire holds its pull (the mean threat among the others):
    the engines must keep the same trace. With nine actors and scores that are not whole
    numbers, the order of the day's scores shows in the escalation index too."""
    for path in (SCENARIOS[0].parent / "baseline.yaml", SCENARIOS[0].parent / "israel_covert.yaml"):
        scenario = load_scenario(path)
        for replicate in range(3):
            numpy_trace = _traced(scenario, replicate, "numpy")
            assert _traced(scenario, replicate, "compiled") == numpy_trace, (path.stem, replicate)
    for replicate in range(4):
        numpy_trace = _traced(nine_actors, replicate, "numpy")
        assert _traced(nine_actors, replicate, "compiled") == numpy_trace, ("nine", replicate)


def _source_hash(module: str, qualname: str) -> str:
    obj: object = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]  # type: ignore[arg-type]


@needs_numba
def test_each_kernel_pins_the_numpy_code_it_mirrors() -> None:
    from simulator.model.compiled import MIRRORS

    stale = [
        f"{kernel} mirrors {module}.{name}, which changed (now {_source_hash(module, name)})"
        for kernel, (module, name, pinned) in MIRRORS.items()
        if _source_hash(module, name) != pinned
    ]
    assert not stale, (
        "numpy code changed under a compiled kernel: make the kernel in "
        "simulator/model/compiled.py do the same, then pin the new hash in MIRRORS.\n"
        + "\n".join(stale)
    )


def test_without_numba_the_compiled_engine_is_refused_with_the_way_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engines, "compiled_available", lambda: False)
    with pytest.raises(engines.EngineError, match=r"pip install -e \"\.\[compiled\]\""):
        engines.resolve_engine("compiled")
    monkeypatch.delenv(engines.ENV, raising=False)
    assert engines.engine_for(None, 10 * engines.REPAYS_AT, 100) == "numpy"
    out, err = io.StringIO(), io.StringIO()
    folder = tmp_path / "run"
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["run", str(SCENARIOS[0]), "-n", "5", "--engine", "compiled", "--out", str(folder)]
        )
    assert code == 2
    assert "needs numba" in err.getvalue() and "--engine numpy" in err.getvalue()
    assert not folder.exists()


def test_an_unknown_engine_in_the_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.ENV, "fast")
    with pytest.raises(engines.EngineError, match="ESCALATION_ENGINE=fast: unknown engine"):
        engines.default_engine()
    monkeypatch.setenv(engines.ENV, "numpy")
    assert engines.default_engine() == "numpy"
    monkeypatch.delenv(engines.ENV)
    assert engines.default_engine() == "auto"


def test_auto_runs_numpy_until_the_process_has_asked_for_a_million_replicate_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`auto` (the default) switches to the compiled kernels once they repay their start."""
    monkeypatch.delenv(engines.ENV, raising=False)
    monkeypatch.setattr(engines, "_planned", 0)
    monkeypatch.setattr(engines, "compiled_available", lambda: True)
    monkeypatch.delitem(sys.modules, "simulator.model.compiled", raising=False)
    day = 100 * 90  # replicate-days of a 100-replicate, 90-day model
    assert engines.engine_for(None, day, 100) == "numpy"
    assert engines.engine_for("auto", engines.REPAYS_AT - 2 * day, 100) == "numpy"  # not yet
    assert engines.engine_for(None, day, 100) == "compiled"  # the tally reaches REPAYS_AT
    assert engines.engine_for(None, day, engines.WIDEST + 1) == "numpy"  # too wide to gain
    assert engines.engine_for("numpy", day, 100) == "numpy"  # a named engine is that engine
    monkeypatch.setattr(engines, "_planned", 0)
    monkeypatch.setitem(sys.modules, "simulator.model.compiled", types.ModuleType("kernels"))
    assert engines.engine_for(None, day, 100) == "compiled"  # loaded already: nothing to repay
    monkeypatch.setattr(engines, "compiled_available", lambda: False)
    assert engines.engine_for(None, 10 * engines.REPAYS_AT, 100) == "numpy"


def test_auto_goes_by_the_work_a_process_is_told_to_expect(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep worker whose share repays the kernels runs compiled from its first unit."""
    monkeypatch.delenv(engines.ENV, raising=False)
    monkeypatch.setattr(engines, "_planned", 0)
    monkeypatch.setattr(engines, "_expected", 0)
    monkeypatch.setattr(engines, "compiled_available", lambda: True)
    monkeypatch.delitem(sys.modules, "simulator.model.compiled", raising=False)
    day = 100 * 90
    engines.expect(engines.REPAYS_AT // 2)
    assert engines.engine_for(None, day, 100) == "numpy"  # half as much does not repay
    engines.expect(engines.REPAYS_AT)
    assert engines.engine_for(None, day, 100) == "compiled"
    engines.expect(0)  # a smaller share later does not undo it
    assert engines.engine_for(None, day, 100) == "compiled"
    assert engines.engine_for(None, day, engines.WIDEST + 1) == "numpy"  # too wide to gain


@needs_numba
def test_the_run_command_records_its_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(engines.ENV, raising=False)
    folders = {}
    for e in engines.ENGINES:
        folders[e] = tmp_path / e
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(
                ["run", str(SCENARIOS[0]), "-n", "30", "--engine", e, "--no-plots", "-q",
                 "--out", str(folders[e])]
            )  # fmt: skip
        assert code == 0
        monkeypatch.delenv(engines.ENV, raising=False)  # --engine set it for the process
        assert yaml.safe_load((folders[e] / "manifest.json").read_text())["engine"] == e
    for name in ("runs.parquet", "daily.parquet", "events.parquet"):
        assert (folders["numpy"] / name).read_bytes() == (folders["compiled"] / name).read_bytes()


@needs_numba
@pytest.mark.parametrize("path", SCENARIOS[:6], ids=lambda p: p.stem)
def test_the_engines_keep_the_same_state_day_by_day(path: Path) -> None:
    """Threat, grievance, beliefs, postures and losses: the same bits every day, not just outcomes.

    A last-bit difference rarely changes a move, so the tables alone would let it through.
    """
    scenario = load_scenario(path)
    models = [EscalationModel(scenario, replicates=64, engine=e) for e in engines.ENGINES]
    try:
        while models[0].running:
            _step_alike(models, path.stem, lambda m: {
                "threat": m.threat,
                "grievance": m.grievance,
                "P(hostile)": m.beliefs.p,
                "misread": m.beliefs.misread,
                "credibility": m.beliefs.credibility,
                "escalation": m.recorder.escalation_now,
                "protection": m.protection,
                "protection days": m.protection_days,
                "suppression": m.suppression,
                "suppression days": m.suppression_days,
                "the day's losses": m.day_losses._arrays,
            })  # fmt: skip
    finally:
        for model in models:
            release(model)


@needs_numba
@pytest.mark.parametrize("path", SCENARIOS[:6], ids=lambda p: p.stem)
def test_the_compiled_utilities_are_the_reference_bits(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every actor's utilities on every day, as the logit rule receives them, bit for bit."""
    from simulator.model import actors, compiled

    seen: dict[str, list[np.ndarray]] = {"numpy": [], "compiled": []}
    reference_choice, kernel = actors.logit_choice, compiled.utilities

    def numpy_choice(z: np.ndarray, u: np.ndarray, below: np.ndarray | None = None) -> np.ndarray:
        seen["numpy"].append(z - z.max(axis=0))
        return reference_choice(z, u, below)

    def compiled_utilities(z: np.ndarray, *args: object) -> None:
        kernel(z, *args)
        seen["compiled"].append(z.copy())

    monkeypatch.setattr(actors, "logit_choice", numpy_choice)
    monkeypatch.setattr(compiled, "utilities", compiled_utilities)
    scenario = load_scenario(path)
    for e in engines.ENGINES:
        model = EscalationModel(scenario, replicates=64, engine=e)
        model.run()
        release(model)
    assert len(seen["numpy"]) == len(seen["compiled"]) > 0
    for day_actor, (x, y) in enumerate(zip(seen["numpy"], seen["compiled"], strict=True)):
        assert x.tobytes() == y.tobytes(), f"{path.stem}: utilities differ at call {day_actor}"


@needs_numba
def test_the_compiled_poisson_draws_the_reference_counts() -> None:
    """Casualty counts by inversion, bit for bit: small and large means (to the schema's 500),
    uniforms near 0 and 1, and a mean per draw or one for all."""
    from simulator.model import compiled, rng

    gen = np.random.default_rng(12)
    u = np.concatenate([gen.random(20_000), [0.0, 1e-300, 1.0 - 2**-53, 0.5]])
    for mean in (
        gen.uniform(0.0, 3.0, u.size),
        gen.uniform(0.0, 500.0, u.size),
        np.full(u.size, 40.0),
        np.float64(7.5),
    ):
        expected = rng.poisson(u, mean)
        got = compiled.poisson(u, mean)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    assert compiled.poisson(u[:0], np.zeros(0)).shape == (0,)


@needs_numba
def test_the_compiled_binomial_draws_the_reference_counts() -> None:
    """Deaths among casualties by inversion, bit for bit: one trial or none, a few, hundreds and
    more than binom can hold (its overflow read as numpy's nan_to_num does), probabilities of 0
    and 1, and uniforms at 0 and next to 1."""
    from simulator.model import compiled, rng

    gen = np.random.default_rng(21)
    for case, top in enumerate((2, 6, 40, 400, 1_500) * 8):
        size = int(gen.integers(1, 300))
        u = gen.random(size)
        u[: min(size, 3)] = [0.0, 1.0 - 2**-53, 1e-300][: min(size, 3)]
        n = gen.integers(0, top, size)
        p = gen.random(size) if case % 2 else np.full(size, (0.0, 1.0, 0.5, 0.05)[case % 4])
        with np.errstate(over="ignore"):
            expected = rng.binomial(u, n, p)
        got = compiled.binomial(u, n, p)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), (case, top)


@needs_numba
def test_the_compiled_mediators_pull_is_numpys_to_the_bit() -> None:
    """A mediator's pull (mean threat among the others) sums as the reference does: row after
    row, in a model of any width, one column included (``points.sum_rows``; numpy's own sum
    goes pairwise there). On threats of very different sizes, any other order would change the
    last bits."""
    from simulator.model import compiled
    from simulator.model.points import sum_rows

    gen = np.random.default_rng(8)
    for n, R in ((3, 1), (5, 1), (9, 1), (12, 1), (4, 17), (5, 1_000), (6, 333), (9, 2)):
        threat = np.exp(gen.normal(0.0, 8.0, (n, n, R))) * (gen.random((n, n, R)) < 0.7)
        if R > 1:  # NaN in the last column: every sum is NaN there
            threat[0, 1, -1] = np.nan
        total = sum_rows(threat)
        mediators = sorted(gen.choice(n, size=2, replace=False).tolist())
        out, total_, inspired = np.empty((2, R)), np.empty(R), np.empty(R)
        compiled.tensions_kernel(threat, np.array(mediators, dtype=np.int64), total_, out, inspired)
        for j, i in enumerate(mediators):
            rest = total - sum_rows(threat[i]) - sum_rows(threat[:, i])
            expected = np.maximum(rest, 0.0) / ((n - 1) * (n - 2))
            assert out[j].tobytes() == expected.tobytes(), (n, R, i)


@needs_numba
def test_the_compiled_floor_of_threat_is_numpys() -> None:
    """observe's last step: threat floored at 0 and its diagonal cleared, as numpy does them,
    down to NaN and the sign of zero."""
    from simulator.model import compiled
    from simulator.model.outcomes import THREAT_SCALE

    threat = np.random.default_rng(5).normal(size=(4, 4, 1_001))
    threat[0, 1, :40], threat[2, 3, 7], threat[1, 1, 3] = -0.0, np.nan, np.nan
    threat[2, 1, 5] = 1e-300  # rounds to 0 in fixed point
    expected = np.maximum(threat, 0.0)
    expected[np.arange(4), np.arange(4)] = 0.0
    unsummed = threat.copy()
    compiled.floor_threat(unsummed, THREAT_SCALE, np.zeros((0, 0), dtype=np.int64))
    assert unsummed.tobytes() == expected.tobytes()
    # and the record's fixed-point sums taken in the same pass, as Recorder.record takes them
    # (on the pairs without NaN, whose fixed point is whatever a cast makes of it)
    sums = np.full((4, 4), -1, dtype=np.int64)
    compiled.floor_threat(threat, THREAT_SCALE, sums)
    assert threat.tobytes() == expected.tobytes()
    clean = ~np.isnan(expected).any(axis=2)
    scaled = np.rint(np.where(clean[..., None], expected, 0.0) * THREAT_SCALE)
    fixed = scaled.astype(np.int64).sum(axis=2)
    assert clean.sum() == 15 and np.array_equal(sums[clean], fixed[clean])
