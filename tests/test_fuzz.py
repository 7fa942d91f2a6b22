"""A standing fuzz test: random mutations of the baseline scenario either run or are refused well.

Each example mutates scenarios/baseline.yaml (read as data) at random paths: wrong types, values
at and past their bounds, other names in every cross-reference, dates inside, around and far
outside the run, deletions, duplications, added events, actors and sweep sections. Then, through
public entry points only (so that the test outlives changes to the model):

- if ``escalation validate FILE`` accepts it, a short run of it succeeds;
- if it refuses it, it exits 2 with located messages (``FILE:LINE: …``) and no traceback.

One example in ten also edits the YAML text (a line dropped or re-indented, a stray character).

CI runs a fixed set of examples (derandomised); ``FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``
explores afresh.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from identical import same_tables

from simulator.cli import main
from simulator.experiment.simulate import simulate
from simulator.model.engine import compiled_available
from simulator.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
BASE: dict = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
EXPLORE = int(os.environ.get("FUZZ_EXAMPLES", "0"))

ACTORS = list(BASE["actors"])
RUNGS = [
    "agreement",
    "conciliatory",
    "status_quo",
    "verbal_threat",
    "show_of_force",
    "raid",
    "covert_action",
    "lethal_attack",
    "limited_strike",
    "major_strike",
]
#: Names a reference may be changed to: right ones, near misses, reserved words, non-names, and
#: one that looks like rich markup (the CLI must print it as written).
NAMES = [
    *ACTORS, *RUNGS, "default", "attributed", "perpetrator", "both", "Irn", "Nobody", "", "1bad",
    "[/]",
]  # fmt: skip
REFERENCE_KEYS = {
    "patron", "host", "rivals", "present_in", "to", "targets", "against", "response", "max_rung",
    "menu", "actor", "observer", "target", "rung", "attribute_to", "initial_threat",
    "response_max",
}  # fmt: skip
#: Characters a text edit may insert.
STRAY = [
    "[",
    ":",
    " ",
    "'",
    '"',
    "\t",
    "&",
    "*",
    "!",
    "%",
    "#",
    "|",
    ">",
    "-",
    "{",
    "}",
    ",",
    "\x00",
    "é",
]
DATE_KEYS = {"start", "date", "from", "until"}
START = dt.date(2020, 12, 20)
HORIZONS = [-1, 0, 1, 2, 30, 90, 3651, 10**9]  # not 3650: valid, but a minute to run

scalars = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 1.5, -0.5, 1e300, float("nan"), float("inf"), 2**63]),
    st.floats(-2, 6, allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(NAMES),
    st.text(alphabet="abc XYZ_-:,.0123456789", max_size=8),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["type", "x", "until", "max_rung", "control"]), scalars),
)
in_run = st.dates(START, START + dt.timedelta(days=89))
dates = st.one_of(
    in_run,
    st.dates(START - dt.timedelta(days=40), START + dt.timedelta(days=130)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1970, 1, 1)]),
    st.sampled_from([0, 20201220, "2020-13-01", "2021-02-30", "tomorrow", "2021-1-5"]),
)
numbers_in_range = st.one_of(
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(0, 1),
    st.sampled_from([0.0, 1.0, -0.01, 1.01, 5.0, 100.0]),
)
#: Mutations, the likelier to leave a valid scenario listed more often, so that both sides of
#: the property (runs / is refused) see many examples.
MUTATIONS = [
    *["tweak"] * 5,
    *["reference", "date", "event"] * 2,
    *["replace", "delete", "duplicate", "horizon", "actor", "rename", "sweep"],
]
EVENT_KINDS = [*["set", "grievance", "threat", "action", "perception"] * 3, "war"]
#: What a set event (and a perception event) may set, and how to draw a value for it.
actor_names = st.sampled_from([*ACTORS, *ACTORS, *NAMES])
rung_names = st.sampled_from([*RUNGS, *NAMES])
SETS = {
    "control": numbers_in_range,
    "resolve": numbers_in_range,
    "patron": actor_names,
    "host": actor_names,
    "rivals": st.lists(actor_names, max_size=2),
    "targets": st.lists(actor_names, max_size=2),
    "present_in": st.lists(actor_names, max_size=2),
    "menu": st.lists(rung_names, max_size=2).map(lambda m: [*m, "status_quo"]),
    "restraint": st.fixed_dictionaries({"until": dates, "max_rung": rung_names}).map(lambda w: [w]),
    "type": st.sampled_from(["state", "host", "militia"]),
}
PERCEPTION_SETS = {
    "attribute_to": actor_names,
    "detection": numbers_in_range,
    "offense_bias": numbers_in_range,
    "control": numbers_in_range,
}
SWEEP_SPECS = [*["0.3:1:3", "0.1:0.9", "0.2,0.5"] * 3, "0:2:3", "1:0:3", "a:b", "0:1:0", "x"]
SWEEP_PATHS = [
    *["actors.KH.control", "dynamics.memory", "perception.Iran.US.offense_bias"] * 2,
    "horizon_days", "name", "actors.Nobody.control",
    "perception.Iran.US.offense_bias", "events.0.amount", "events.2.amount", "seed",
]  # fmt: skip


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path in a document, containers included."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def parent_of(doc: dict, path: tuple) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def mutate(doc: dict, data: st.DataObject) -> None:
    """Apply one random mutation to ``doc`` in place."""
    kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    every = paths(doc)
    if kind == "tweak":  # a number changed, keeping its type: often still in range
        numbers = [p for p in every if type(parent_of(doc, p)[p[-1]]) in (int, float)]
        path = data.draw(st.sampled_from(numbers), label="path")
        old = parent_of(doc, path)[path[-1]]
        near = st.integers(max(old - 3, -1), old + 3) if isinstance(old, int) else numbers_in_range
        parent_of(doc, path)[path[-1]] = data.draw(near, label="number")
    elif kind == "replace":
        path = data.draw(st.sampled_from(every), label="path")
        parent_of(doc, path)[path[-1]] = data.draw(values, label="value")
    elif kind == "delete":
        path = data.draw(st.sampled_from(every), label="path")
        del parent_of(doc, path)[path[-1]]
    elif kind == "duplicate":
        lists = [p for p in every if isinstance(parent_of(doc, p)[p[-1]], list | dict)]
        path = data.draw(st.sampled_from(lists), label="path")
        node = parent_of(doc, path)[path[-1]]
        if isinstance(node, list) and node:
            node.append(copy.deepcopy(data.draw(st.sampled_from(node), label="item")))
        elif isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(map(str, node))), label="key")
            node[data.draw(st.sampled_from(NAMES), label="as")] = copy.deepcopy(node.get(key))
    elif kind == "reference":
        refs = [
            p
            for p in every
            if any(part in REFERENCE_KEYS for part in p[-2:])
            and isinstance(parent_of(doc, p)[p[-1]], str | dict)
        ]
        path = data.draw(st.sampled_from(refs), label="path")
        parent = parent_of(doc, path)
        name = data.draw(actor_names, label="name")
        if isinstance(parent[path[-1]], dict):  # initial_threat: name the one it is felt from
            parent[path[-1]] = {name: 0.3}
        else:
            parent[path[-1]] = name
    elif kind == "date":
        dated = [p for p in every if p[-1] in DATE_KEYS]
        windows = [p for p in every if p[-2:-1] in (("restraint",), ("orders",))]
        path = data.draw(st.sampled_from(dated + [(*w, "from") for w in windows]), label="path")
        parent_of(doc, path)[path[-1]] = data.draw(dates, label="date")
    elif kind == "horizon":
        doc["horizon_days"] = data.draw(st.sampled_from(HORIZONS), label="horizon")
    elif kind == "event":
        doc.setdefault("events", []).append(draw_event(data))
    elif kind == "actor":
        name = data.draw(st.sampled_from([*NAMES, "Newcomer"]), label="name")
        doc["actors"][name] = copy.deepcopy(
            doc["actors"][data.draw(st.sampled_from(sorted(doc["actors"])), label="copy of")]
        )
    elif kind == "rename":
        old = data.draw(st.sampled_from(sorted(doc["actors"])), label="actor")
        new = data.draw(st.sampled_from(NAMES), label="new name")
        doc["actors"] = {(new if k == old else k): v for k, v in doc["actors"].items()}
    else:
        params = data.draw(
            st.dictionaries(
                st.sampled_from(SWEEP_PATHS), st.sampled_from(SWEEP_SPECS), min_size=1, max_size=3
            ),
            label="params",
        )
        doc["sweep"] = {
            "design": data.draw(st.sampled_from(["grid", "grid", "lhs", "sobol", "morris", "x"])),
            "params": params,
            "points": data.draw(st.sampled_from([4, 6, 8, 0]), label="points"),
        }


def edit_text(text: str, data: st.DataObject) -> str:
    """The YAML text with one line dropped, re-indented or given a stray character."""
    lines = text.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    edit = data.draw(st.sampled_from(["drop", "indent", "dedent", "insert"]), label="edit")
    if edit == "drop":
        del lines[i]
    elif edit == "indent":
        lines[i] = " " + lines[i]
    elif edit == "dedent":
        lines[i] = lines[i][1:]
    else:
        at = data.draw(st.integers(0, len(lines[i])), label="column")
        char = data.draw(st.sampled_from(STRAY), label="character")
        lines[i] = lines[i][:at] + char + lines[i][at:]
    return "\n".join(lines) + "\n"


def draw_event(data: st.DataObject) -> dict:
    """An event, more often well-formed than not, its names right or nearly."""
    kind = data.draw(st.sampled_from(EVENT_KINDS), label="kind")
    event: dict[str, Any] = {
        "date": data.draw(st.one_of(in_run, in_run, in_run, dates), label="date"),
        "kind": kind,
        "actor": data.draw(actor_names, label="actor"),
    }
    if kind in ("threat", "perception"):
        event["observer"] = data.draw(actor_names, label="observer")
    if kind == "action":
        event["rung"] = data.draw(rung_names, label="rung")
        event["target"] = data.draw(actor_names, label="target")
    if kind in ("grievance", "threat"):
        event["amount"] = data.draw(st.one_of(numbers_in_range, scalars), label="amount")
    if kind in ("set", "perception"):
        fields = SETS if kind == "set" else PERCEPTION_SETS
        field = data.draw(st.sampled_from(sorted(fields)), label="field")
        event["set"] = {field: data.draw(fields[field], label="value")}
    return event


def validate(path: Path) -> tuple[int, str]:
    """``escalation validate PATH`` in this process: exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    return code, err.getvalue() + out.getvalue()


@settings(
    max_examples=EXPLORE or 100,
    derandomize=not EXPLORE,
    database=None,
    deadline=dt.timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_baseline_either_runs_or_is_refused_with_located_messages(data):
    doc = copy.deepcopy(BASE)
    for _ in range(data.draw(st.sampled_from([1, 1, 1, 2, 3]), label="mutations")):
        if isinstance(doc, dict) and doc and isinstance(doc.get("actors"), dict):
            mutate(doc, data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        if data.draw(st.integers(0, 9), label="edit the text") == 0:
            text = edit_text(text, data)
        path.write_text(text, encoding="utf-8")
        code, printed = validate(path)
        assert "Traceback" not in printed
        event("accepted" if code == 0 else "refused")
        if code == 0:
            assert printed.startswith(f"ok  {path}: ")
            scenario = load_scenario(path)
            tables = simulate(scenario, replicates=3, engine="numpy")
            assert len(tables.runs) == 3
            if compiled_available():  # and the compiled engine gives the same bytes
                same_tables(tables, simulate(scenario, replicates=3, engine="compiled"), "mutant")
            return
        assert code == 2, printed
        lines = printed.rstrip("\n").splitlines()
        assert lines[0].startswith(f"invalid: {path}:"), printed
        located = re.compile(rf"^(invalid: )?{re.escape(str(path))}:\d+: \S")
        for line in lines:
            assert (
                located.match(line)
                or line.startswith("    YAML parser: ")
                or re.match(r"^… and \d+ more problems?", line)
            ), printed
