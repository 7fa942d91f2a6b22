"""Mutation check: disable each mechanism of the model in turn and see which tests notice.

A mechanism is real only if a test fails when it is removed (MODEL.md property 11). For each entry
of MUTATIONS this script copies the package and the tests to a scratch folder, replaces one
snippet of code by a version with the mechanism switched off, runs the model's tests there, and
reports the first test that failed — or NOT CAUGHT. It exits 1 if any mutation survives or if a
snippet is no longer found (the code moved: update the table).

    python .ci/mutations.py                 # every mutation, two at a time (≈ 10-20 min)
    python .ci/mutations.py --only satiation ceasefire
    python .ci/mutations.py --list

Not part of CI (it takes minutes); run it after touching a mechanism, and quote its table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the fast model tests, run first; the slower statistical ones only if these all pass
FAST = [
    "tests/test_mechanisms.py",
    "tests/test_model_properties.py",
    "tests/test_actor_types.py",
    "tests/test_streams.py",
    "tests/test_hindcast.py",
    "tests/test_compare.py",
    "tests/test_robustness.py",
    "tests/test_discovery.py",
    "tests/test_report.py",
    "tests/test_report_kinds.py",
    "tests/test_explore.py",
    "tests/test_design_points.py",
    "tests/test_engines.py",
]
SLOW = ["tests/test_validation.py", "tests/test_reproducibility.py"]


@dataclass(frozen=True)
class Mutation:
    """One mechanism switched off: replace ``old`` (which must occur exactly once) by ``new``."""

    name: str
    mechanism: str
    path: str
    old: str
    new: str


M = "simulator/model/"
MUTATIONS = [
    # -- beliefs ---------------------------------------------------------------------------------
    Mutation(
        "biased-likelihood",
        "offense bias read into beliefs (defensive moves as evidence)",
        M + "observation.py",
        "ev = np.where(defensive, biased, base_evidence)",
        "ev = np.where(defensive, 0.0, base_evidence)",
    ),
    Mutation(
        "bias-in-threat",
        "offense bias read into threat",
        M + "observation.py",
        "seen = np.where(defensive, biased, face)",
        "seen = np.where(defensive, 0.0, face)",
    ),
    Mutation(
        "costly-reassurance",
        "reassurance counts only above the mimicry value",
        M + "observation.py",
        "return np.where(lad.evidence < 0, lad.evidence * costly, lad.evidence)",
        "return lad.evidence",
    ),
    Mutation(
        "bayes-update",
        "Bayesian update of type beliefs",
        M + "beliefs.py",
        "        some = llr != 0\n",
        "        return\n        some = llr != 0\n",
    ),
    Mutation(
        "type-change",
        "beliefs drift back to the prior (types may change)",
        M + "beliefs.py",
        "        if not any_of(self.type_change > 0):  # a point without drift multiplies"
        " by exactly 1\n"
        "            return\n"
        "        # p",
        "        return\n        # p",
    ),
    Mutation(
        "stance",
        "belief in the other's type moves the desired level",
        M + "actors.py",
        "        if any_of(w):\n"
        "            x += np.multiply(m.beliefs.p[i, k], 2.0 * w, out=term)\n"
        "        x += np.subtract(m.push[i], w, out=term)\n",
        "        x += m.push[i]\n",
    ),
    # -- attribution -----------------------------------------------------------------------------
    Mutation(
        "attribution-by-rung",
        "only violent or covert proxy moves are blamed on the patron",
        M + "observation.py",
        "blamed = attributable & (draws.attribution(o, i, moved) < at(share, moved))",
        "blamed = draws.attribution(o, i, moved) < at(share, moved)",
    ),
    Mutation(
        "attribution",
        "proxy moves blamed on the patron",
        M + "observation.py",
        "                if blamed.any():\n                    m.threat[o, att, moved]",
        "                if False:\n                    m.threat[o, att, moved]",
    ),
    # -- red lines -------------------------------------------------------------------------------
    Mutation(
        "red-line-coverage",
        "a red line covers only forces / territory / proxies as it says",
        M + "redlines.py",
        "            return line.forces if abroad else line.territory",
        "            return True",
    ),
    Mutation(
        "red-line-deaths",
        "a deaths trigger counts deaths, not the wounded",
        M + "redlines.py",
        "                    amount = attack.deaths",
        "                    amount = attack.casualties",
    ),
    Mutation(
        "red-line-against",
        "a red line commits against whom it says (attributed patron)",
        M + "redlines.py",
        "                against = blame(line.owner, perp, cols)\n            else:",
        "                against = perp\n            else:",
    ),
    Mutation(
        "red-line-deterrence",
        "red lines deter the acts they cover (through credibility)",
        M + "actors.py",
        "            lines = m.red_lines.exposure(self.index, k, self.index)",
        "            lines = []",
    ),
    Mutation(
        "commitment-range",
        "a commitment pulls to the promised range, not above it",
        M + "actors.py",
        "            promised &= np.less_equal(menu, lines.high[i], out=work.below[:n_rows])\n",
        "",
    ),
    Mutation(
        "commitment-due",
        "a promise pulls only once due",
        M + "redlines.py",
        "return (self.days > 0) & (self.due <= self.model.day)",
        "return self.days > 0",
    ),
    Mutation(
        "commitment-pull",
        "an open promise pulls towards the promised move",
        M + "actors.py",
        "            z += np.multiply(promised, t.pull, out=work.term[:n_rows])",
        "            pass",
    ),
    Mutation(
        "reputation",
        "kept and lapsed promises move others' belief in the owner's commitments",
        M + "beliefs.py",
        "        if not (kept.any() or lapsed.any()):\n            return",
        "        return",
    ),
    Mutation(
        "credibility-loss",
        "a lapsed promise costs credibility at home",
        M + "redlines.py",
        "            self.credibility_loss += "
        "np.multiply(loss, lapsing, out=self.model.scratch.per_actor)",
        "            pass",
    ),
    # -- decisions ----------------------------------------------------------------------------
    Mutation(
        "target-value",
        "targets chosen by expected value (deterrence of each target)",
        M + "actors.py",
        "        terms = self.value_terms.get(k)",
        "        terms = None",
    ),
    Mutation(
        "widening",
        "hitting a proxy risks its patron's retaliation and vice versa",
        M + "world.py",
        "        if allies:\n            friends",
        "        if False:\n            friends",
    ),
    Mutation(
        "reach",
        "a retaliator's reach (how badly it could hurt)",
        M + "actors.py",
        "            reach = float(lad.score[rows].max()) / top if len(rows) and top > 0 else 0.0",
        "            reach = 1.0",
    ),
    Mutation(
        "deterrence",
        "expected retaliation deters escalatory moves",
        M + "actors.py",
        "            z[rows] -= np.multiply(level, x32, out=work.term[: len(level)])",
        "            pass",
    ),
    Mutation(
        "restraint-combine",
        "restraint windows combine per rung (the strongest penalty applies)",
        M + "world.py",
        "(above * strength).max(axis=0)",
        "(above * strength).min(axis=0)",
    ),
    Mutation(
        "restraint-dates",
        "restraint windows and orders bind only between their dates (kept by the set in force)",
        M + "world.py",
        "        stretch = bisect.bisect_right(self._constraint_turns, self.day)",
        "        stretch = 0",
    ),
    Mutation(
        "restraint-last-day",
        "a restraint window or an order binds on its last day too",
        M + "world.py",
        "                days.add((w.until - self.scenario.start).days + 1)  # … to its last",
        "                days.add((w.until - self.scenario.start).days)",
    ),
    Mutation(
        "restraint-after-set",
        "a set event's restraint and pressure bind from its day (not the day's kept constraints)",
        M + "world.py",
        "        self._constraints_memo: dict[int, tuple[Any, ...]] = {}\n",
        '        self.__dict__.setdefault("_constraints_memo", {})\n',
    ),
    Mutation(
        "restraint",
        "restraint windows penalise rungs above their cap",
        M + "actors.py",
        "            constant = constant + extra",
        "            pass",
    ),
    Mutation(
        "patron-window-wish",
        "a restrained patron wants its proxies restrained too",
        M + "actors.py",
        "            wish = wish + strength * (np.minimum(wish, level) - wish)",
        "            pass",
    ),
    Mutation(
        "obey-control",
        "proxies obey orders with probability = control",
        M + "actors.py",
        "        return cap, u_obey < self.control",
        "        return cap, u_obey < 0.5",
    ),
    Mutation(
        "control-blend",
        "a proxy's desire blends its patron's wish by control",
        M + "actors.py",
        "        x = self.control * self.wish(k) + (1.0 - self.control) * self.drive(k)",
        "        x = self.drive(k)",
    ),
    Mutation(
        "patron-blame-fear",
        "the patron's wish falls with the blame it fears",
        M + "actors.py",
        "            fear = fear + coef * m.beliefs.credibility[p, owner]\n        wish = ",
        "            fear = fear + coef * m.beliefs.credibility[p, owner]\n"
        "        fear = 0.0\n        wish = ",
    ),
    Mutation(
        "rung-cost",
        "each move's own cost",
        M + "actors.py",
        "        self.menu_constant = square + cost",
        "        self.menu_constant = square + 0.0 * cost",
    ),
    Mutation(
        "rationality",
        "the logit rule's rationality λ",
        M + "actors.py",
        "        lam, beta = self.rationality, dyn.precision",
        "        lam, beta = 1.0, dyn.precision",
    ),
    Mutation(
        "mediation-pull",
        "tension among the others pulls a mediator towards conciliation",
        M + "world.py",
        "self._tension(a, total) if a.index in mediators else 0.0",
        "0.0",
    ),
    Mutation(
        "host-pressure",
        "a host is pressed to police the militia that attacks its guests",
        M + "actors.py",
        "                x = x + m.dynamics.host_pressure * m.threat[s, k]",
        "                pass",
    ),
    Mutation(
        "credibility-push",
        "lost credibility raises the desired level",
        M + "world.py",
        "np.add(pressure, self.red_lines.credibility_loss, out=self.push)",
        "np.copyto(self.push, pressure)",
    ),
    # -- consequences ---------------------------------------------------------------------------
    Mutation(
        "soil-security",
        "host security foils attacks by militias based on its soil",
        M + "violence.py",
        "            foiled = np.where(m.soil[i, kv] == home, security[home][violent], 0.0)",
        "            foiled = 0.0",
    ),
    Mutation(
        "security-not-on-air-strikes",
        "host security cannot stop a state's air strikes",
        M + "violence.py",
        "        if home >= 0 and m.is_host[home]:  # a host foils the militias it hosts on its"
        " soil\n"
        "            if home not in security:  # the same for every attacker: posture is settled\n"
        "                security[home] = _soil_security(m, home)\n"
        "            foiled = np.where(m.soil[i, kv] == home, security[home][violent], 0.0)\n",
        "        soil = m.soil[i, kv]  # mutated: every attack on a host's soil is foiled, air"
        " strikes too\n"
        "        if (soil >= 0).any():\n"
        "            rows = [_soil_security(m, h) if m.is_host[h] else np.zeros(m.replicates)"
        " for h in range(m.n)]\n"
        "            foiled = np.where(soil >= 0, np.stack(rows)[np.maximum(soil, 0), violent],"
        " 0.0)\n",
    ),
    Mutation(
        "protection",
        "defensive posture protects against attacks",
        M + "violence.py",
        "            * (1.0 - m.protection[kv, violent])\n",
        "",
    ),
    Mutation(
        "suppression",
        "raids suppress the raided militia",
        M + "violence.py",
        "            * (1.0 - m.suppression[i, violent])\n",
        "",
    ),
    Mutation(
        "mediation",
        "a mediator's conciliatory move cools the others' threat",
        M + "violence.py",
        "            m.threat[:, :, idx] *= calmed",
        "            pass",
    ),
    Mutation(
        "fatality",
        "casualties split into deaths and wounded",
        M + "violence.py",
        "        dead_all = rng.binomial(np.concatenate(deaths_u), cas_all, lad.fatality[r_all])",
        "        dead_all = cas_all",
    ),
    Mutation(
        "forced-casualties",
        "history's deaths and wounded fix a forced move's losses",
        M + "violence.py",
        "if fixed is not None and (fixed.deaths is not None or fixed.wounded is not None):",
        "if False:",
    ),
    # -- observation, threat, grievance ------------------------------------------------------------
    Mutation(
        "threat-memory",
        "threat decays with memory",
        M + "observation.py",
        "    m.threat *= dyn.memory\n",
        "",
    ),
    Mutation(
        "detection",
        "covert moves can go undetected",
        M + "observation.py",
        "if len(covert) and any_of(detection < 1.0):",
        "if False:",
    ),
    Mutation(
        "noise",
        "perception noise",
        M + "observation.py",
        "if any_of(noise > 0):",
        "if False:",
    ),
    Mutation(
        "casualty-threat",
        "losses caused make a move look more hostile",
        M + "observation.py",
        "            seen = seen + at(dyn.casualty_weight, moved) * hurt_by_me\n",
        "            pass\n",
    ),
    Mutation(
        "felt-losses",
        "losses weigh with diminishing sensitivity",
        M + "observation.py",
        "    return np.log2(1.0 + casualties)",
        "    return casualties",
    ),
    Mutation(
        "grievance-from-losses",
        "losses raise grievance at the perpetrator",
        M + "world.py",
        "            self._add_grievance(k, i, cols, amount)\n",
        "",
    ),
    Mutation(
        "grievance-at-blamed",
        "losses raise grievance at whoever is blamed",
        M + "world.py",
        "            if shifted.any():\n",
        "            if False:\n",
    ),
    Mutation(
        "patron-feels-losses",
        "a patron feels its proxies' losses",
        M + "world.py",
        "            if patron >= 0 and patron != i:\n",
        "            if False:\n",
    ),
    Mutation(
        "host-grievance",
        "violence on its soil aggrieves the host",
        M + "world.py",
        "            if host >= 0 and host not in (i, k):\n",
        "            if False:\n",
    ),
    Mutation(
        "grievance-memory",
        "grievance decays back to its baseline",
        M + "world.py",
        "        self.grievance *= dyn.grievance_memory\n",
        "",
    ),
    Mutation(
        "satiation",
        "a retaliation settles the score",
        M + "world.py",
        "        if not any_of(satiation > 0):  # a point without satiation multiplies by"
        " exactly 1\n"
        "            return\n"
        "        for i in range(self.n):",
        "        return\n        for i in range(self.n):",
    ),
    Mutation(
        "war-weariness",
        "war wears the belligerents down",
        M + "world.py",
        "        if at_war and any_of(dyn.war_weariness):\n"
        "            self.weariness += np.multiply(dyn.war_weariness, fighting, out=self."
        "scratch.per_actor)\n"
        "        if any_of(dyn.weariness_per_casualty):  # losses are rare: add them wher"
        "e they fell\n",
        "        if False:\n            pass\n        if False:\n",
    ),
    Mutation(
        "ceasefire",
        "a war ends when both sides offer de-escalation",
        M + "world.py",
        "            if ceasefire.any():\n",
        "            if False:\n",
    ),
    Mutation(
        "war-names-target",
        "a state at war aims at its enemy",
        M + "actors.py",
        "        if m.is_state[i] and war.any():\n",
        "        if False:\n",
    ),
    Mutation(
        "geography-rebuild",
        "a set event rebuilds who is where",
        M + "events.py",
        "        if rebuild:\n            m.rebuild()",
        "        if rebuild:\n            pass",
    ),
    # -- records ----------------------------------------------------------------------------------
    Mutation(
        "chosen-outcome",
        "forced moves flagged apart from chosen ones",
        M + "outcomes.py",
        "            if i not in forced:\n                self.worst_chosen",
        "            if True:\n                self.worst_chosen",
    ),
    Mutation(
        "pair-outcome",
        "outcome per pair of actors",
        M + "outcomes.py",
        "            self.pair_worst[p, cols] = np.minimum(self.pair_worst[p, cols], code)\n",
        "",
    ),
    Mutation(
        "violence-classified-alike",
        "a militia's violence counts whether or not it hurt",
        M + "outcomes.py",
        "            lad.violent, PROXY, np.where(lad.hostile, CONTAINED, CALM)",
        "            lad.violent & (lad.lethality > 0.5), PROXY,"
        " np.where(lad.hostile, CONTAINED, CALM)",
    ),
    Mutation(
        "accidental-escalation",
        "violence born of misread defensive moves is flagged",
        M + "outcomes.py",
        "            self.accidental[cols] = (rise > 0) & (misread > 0.5 * rise)",
        "            self.accidental[cols] = False",
    ),
    Mutation(
        "event-log-blame",
        "the event log records whom the target blamed",
        M + "outcomes.py",
        "                attributed[sel] = blame(int(victim), attributed[sel], cols[sel])",
        "                pass",
    ),
    # -- holding the model to the record (issue 9) ---------------------------------------------
    Mutation(
        "hindcast-no-future-events",
        "a forecast applies only the events dated before its origin",
        "simulator/experiment/hindcast.py",
        '"events": [e for e in scenario.events if e.date < day],',
        '"events": list(scenario.events),',
    ),
    Mutation(
        "hindcast-no-future-windows",
        "restraint windows beginning after the origin are unknown at it",
        "simulator/experiment/hindcast.py",
        '"restraint": [w for w in spec.restraint if w.start is None or w.start < origin]',
        '"restraint": list(spec.restraint)',
    ),
    Mutation(
        "hindcast-conditioning",
        "replicates whose spin-up holds state-on-state violence of their own are left out",
        "simulator/scoring/windows.py",
        "    return np.isin(replicates, bad)",
        "    return np.zeros(len(replicates), dtype=bool)",
    ),
    Mutation(
        "posterior-replicates",
        "a posterior point runs its own replicate numbers",
        "simulator/experiment/simulate.py",
        "            first_replicate=first_replicate + first,",
        "            first_replicate=first,",
    ),
    Mutation(
        "record-last-month",
        "the record's last month counts only its days in the record",
        "simulator/scoring/windows.py",
        "min(month.month + dt.timedelta(days=_days_in_month(month.month)), history_end)",
        "month.month + dt.timedelta(days=_days_in_month(month.month))",
    ),
    Mutation(
        "attacks-on-states",
        "militia attacks are violent moves aimed at a state",
        "simulator/scoring/windows.py",
        "    by_militia = violent & np.isin(actor, list(militia)) & np.isin(target, list(state))",
        "    by_militia = violent & np.isin(actor, list(militia))",
    ),
    Mutation(
        "focus-deaths",
        "deaths are the focus actor's own",
        "simulator/scoring/windows.py",
        '    deaths = np.where(violent & (target == focus), inside["deaths"].to_numpy(), 0)',
        '    deaths = np.where(violent, inside["deaths"].to_numpy(), 0)',
    ),
    Mutation(
        "climatology-train-part",
        "climatology learns its rate from the calibration part only",
        "simulator/scoring/score.py",
        "    if until is not None:\n        pairs",
        "    if False:\n        pairs",
    ),
    Mutation(
        "persistence-previous-window",
        "persistence forecasts the previous window",
        "simulator/scoring/score.py",
        '        before = Window(window.first - dt.timedelta(days=window.days), window.days, "")',
        "        before = window",
    ),
    Mutation(
        "lag-own-answers",
        "a response lag ends at the victim's own (unforced) next violent move",
        "simulator/scoring/windows.py",
        '        own = (actor == victim) & ~e["forced"].to_numpy()',
        "        own = actor == victim",
    ),
    # -- comparing and discovering (issue 10) ----------------------------------------------------
    Mutation(
        "paired-correlation",
        "the paired interval counts the arms' correlation (common random numbers)",
        "simulator/stats.py",
        "        phi = corrected / math.sqrt(margins)",
        "        phi = 0.0",
    ),
    Mutation(
        "regret-against-best",
        "regret is measured against the best setting at the same uncertainty point",
        "simulator/experiment/robustness.py",
        "    best = values.max(axis=1) if higher else values.min(axis=1)",
        "    best = values.mean(axis=1)",
    ),
    Mutation(
        "prim-peels",
        "PRIM peels towards denser boxes",
        "simulator/discovery/prim.py",
        "                key = (gain, -(n_restricted + int(adds)), n_keep)",
        "                key = (-gain, -(n_restricted + int(adds)), n_keep)",
    ),
    # -- the browser: report and explorer (issue 11) ---------------------------------------------
    Mutation(
        "report-wilson-bands",
        "the report's cumulative P(clash)/P(war) carries its 95 % Wilson band",
        "simulator/report/run.py",
        "            low, high = wilson_interval(k, n)",
        "            low, high = float(p), float(p)",
    ),
    Mutation(
        "report-sources-of-the-file's-values",
        "a parameter shows its file's citation only when the run used the file's value",
        "simulator/experiment/run.py",
        "        if used is not None and (block or _same(given, used)):",
        "        if used is not None:",
    ),
    Mutation(
        "report-stories-per-class",
        "the report tells sample replicates of every outcome class that occurred",
        "simulator/report/run.py",
        "    for name in classes:\n        numbers = runs.loc",
        "    for name in classes[:1]:\n        numbers = runs.loc",
    ),
    Mutation(
        "explore-applies-sliders",
        "the explorer re-runs the scenario with the sliders' settings",
        "simulator/explore/session.py",
        '                set_path(data, p.loc, p.clamp(values[p.path]), f"slider {p.path}")',
        "                pass",
    ),
    # -- design points on the replicate axis (issue 12) ------------------------------------------
    Mutation(
        "points-stacked-values",
        "stacked design points each compute with their own numbers",
        M + "points.py",
        "        arr = np.asarray(values)\n",
        "        return first\n        arr = np.asarray(values)\n",
    ),
    Mutation(
        "points-mediators-only",
        "a point whose actor does not mediate feels no mediation pull",
        M + "world.py",
        "np.where(mediation > 0, self._pull[i], 0.0)",
        "self._pull[i]",
    ),
    Mutation(
        "points-unbiased-reading",
        "a point without offense bias reads defensive moves as defensive",
        M + "observation.py",
        "                    defensive = defensive & (bias > 0)\n",
        "                    pass\n",
    ),
    Mutation(
        "restraint-terms-reuse",
        "an actor reuses the day's restraint in its utilities only while the same window binds",
        M + "actors.py",
        "            if held is not None and held[0] is penalty and held[1] == m.generation:",
        "            if held is not None:",
    ),
    Mutation(
        "audience-cost-after-set",
        "a lapsed promise costs what the actor's audience cost is that day, after a set event too",
        M + "world.py",
        "        self.audience_cost = per_actor([a.spec.audience_cost for a in self.actors])",
        "        self.audience_cost = getattr(self, 'audience_cost', None)\n"
        "        if self.audience_cost is None:\n"
        "            self.audience_cost = per_actor([a.spec.audience_cost for a in self.actors])",
    ),
    Mutation(
        "promise-widens-targets",
        "a promise due today lets the actor aim at the target it names, with that target's limits",
        M + "actors.py",
        "            aimed[m.red_lines.target[i][m.pulling[i]]] = True",
        "            pass",
    ),
    Mutation(
        "promised-targets-reuse",
        "the rows a promise due today frees are worked out for the targets it names that day",
        M + "actors.py",
        "            key = (m.generation, aimed.tobytes())",
        '            key = (m.generation, b"")',
    ),
    Mutation(
        "compiled-line-rounding",
        "the compiled engine rounds a red line's deterrence to float32 where the reference does",
        M + "compiled.py",
        "                    less = np.float32(np.float64(z[r, c]) - product)",
        "                    less = z[r, c] - np.float32(product)",
    ),
    Mutation(
        "compiled-war-names-the-target",
        "in the compiled engine too, a state at war aims at the enemy it values most",
        M + "compiled.py",
        "            if fighting[c]:  # a war names the target: the enemy valued most",
        "            if False:",
    ),
    Mutation(
        "compiled-promised-row",
        "in the compiled engine too, a promise due names its target's desire, also off the targets",
        M + "compiled.py",
        "            needed[k] = named",
        "            needed[k] = needed[k]",
    ),
    Mutation(
        "compiled-enemy-row",
        "in the compiled engine too, a war weighs the enemy's value, also off the targets",
        M + "compiled.py",
        "            needed[k] |= fights",
        "            needed[k] |= False",
    ),
    Mutation(
        "compiled-soil-security",
        "in the compiled engine too, a host's security foils the militias based on its soil",
        M + "compiled.py",
        "            p_hit = p_hit * (1.0 - foiled)",
        "            p_hit = p_hit * 1.0",
    ),
    Mutation(
        "compiled-mediation-calms",
        "in the compiled engine too, a mediator's conciliatory move cools the threat among others",
        M + "compiled.py",
        "                            threat[a, b, c] *= calmed",
        "                            threat[a, b, c] *= 1.0",
    ),
    Mutation(
        "compiled-blame-shifts-grievance",
        "in the compiled engine too, a victim's grievance goes also to the patron it blames",
        M + "compiled.py",
        "                _grievance_add(grievance, k, culprit, c, amount, ceiling)",
        "                pass",
    ),
    Mutation(
        "compiled-ceasefire",
        "in the compiled engine too, a war ends once both sides have offered de-escalation",
        M + "compiled.py",
        "                            at_war[i, k, c] = False",
        "                            pass",
    ),
    Mutation(
        "compiled-satiation",
        "in the compiled engine too, a violent move settles part of the mover's grievance",
        M + "compiled.py",
        "                grievance[i, k, c] *= 1.0 - satiation[c if s_wide else 0] * level[r]",
        "                pass",
    ),
    Mutation(
        "compiled-postures-expire",
        "in the compiled engine too, protection and suppression lapse when their days run out",
        M + "compiled.py",
        "            value[i, c] = value[i, c] * (1.0 if d > 0 else 0.0)",
        "            pass",
    ),
    Mutation(
        "compiled-both-moves-on",
        "in the compiled engine too, a promise against both moves on to the patron once the "
        "perpetrator is hit",
        M + "compiled.py",
        "                    owed[i, c] = second[i, c]",
        "                    pass",
    ),
    Mutation(
        "compiled-trip-blames-the-patron",
        "in the compiled engine too, a tripped line falls on the patron the owner blames",
        M + "compiled.py",
        "                then = blamed if blamed != perp else -1",
        "                then = -1",
    ),
    Mutation(
        "compiled-lapse-costs-credibility",
        "in the compiled engine too, a lapsed promise costs its owner credibility at home",
        M + "compiled.py",
        "                credibility_loss[i, c] += loss[i, c if l_wide else 0] * (",
        "                credibility_loss[i, c] += 0.0 * (",
    ),
    Mutation(
        "compiled-reputation",
        "in the compiled engine too, every observer's belief in a promise-keeper rises",
        M + "compiled.py",
        "                credibility[o, owner, c] = value / total",
        "                pass",
    ),
    Mutation(
        "compiled-type-change",
        "in the compiled engine too, beliefs drift back towards the prior",
        M + "compiled.py",
        "                p[o, a, c] = p[o, a, c] * k + drift[o, a, c if d_wide else 0]",
        "                pass",
    ),
    Mutation(
        "compiled-first-violence",
        "in the compiled engine too, a replicate's first violence is its first, not its latest",
        M + "compiled.py",
        "            if first_violence[c] < 0 and violent[rung[i, c]]:",
        "            if violent[rung[i, c]]:",
    ),
    Mutation(
        "compiled-clash-threat",
        "in the compiled engine too, de-escalation is timed from the clash's mutual threat",
        M + "compiled.py",
        "                clash_threat[c] = threat[i, k, c] + threat[k, i, c]",
        "                clash_threat[c] = threat[i, k, c]",
    ),
    Mutation(
        "compiled-poisson",
        "in the compiled engine too, casualties are counted by inversion of the Poisson CDF",
        M + "compiled.py",
        "            cdf = cdf + p\n",
        "            cdf = p\n",
    ),
    Mutation(
        "compiled-binomial",
        "the compiled engine counts the deaths among casualties as the reference's inversion does",
        M + "compiled.py",
        "            count += cdf < u[e]",
        "            count += cdf <= u[e]",
    ),
    Mutation(
        "compiled-rungs-in-use",
        "the compiled engine asks which kinds of rung were moved on today (violence to resolve)",
        M + "compiled.py",
        "            anyone = anyone or moved",
        "            anyone = anyone and moved",
    ),
    Mutation(
        "compiled-sabotage-rungs",
        "the compiled engine resolves sabotage: damage done by moves that are not violent",
        M + "compiled.py",
        "                (lad.damage > 0) & ~lad.violent,",
        "                (lad.damage > 0) & lad.violent,",
    ),
    Mutation(
        "one-column-sums",
        "a model of one column adds up its actors (pull, scores) row after row, as a wide model",
        M + "points.py",
        "    if rows.shape[-1] != 1:",
        "    if rows.shape[-1] != 0:",
    ),
    Mutation(
        "compiled-tension-order",
        "the compiled engine sums a mediator's tension in numpy's order",
        M + "compiled.py",
        "            rest = total[c] - felt[c] - inspired[c]",
        "            rest = total[c] - (felt[c] + inspired[c])",
    ),
    Mutation(
        "compiled-rung-counts",
        "the compiled engine counts every move on its rung",
        M + "compiled.py",
        "            part[1, rung[i, c + 1]] += 1",
        "            part[1, rung[i, c + 1]] += 0",
    ),
    Mutation(
        "compiled-recovery",
        "in the compiled engine too, de-escalation is the pair's mutual threat back below its eve",
        M + "compiled.py",
        "            if threat[a, b, c] + threat[b, a, c] < clash_threat[c]:",
        "            if threat[a, b, c] < clash_threat[c]:",
    ),
    Mutation(
        "compiled-obey-draw",
        "the compiled engine draws whether a proxy obeys from the same stream as numpy",
        M + "compiled.py",
        "        out[c] = _uniform(keys[c], offset)",
        "        out[c] = _uniform(keys[c], offset + np.uint64(1))",
    ),
    Mutation(
        "compiled-threat-sums",
        "the compiled engine's daily threat sums are those of the floored threat",
        M + "compiled.py",
        "                fixed += _fixed(t, scale)",
        "                fixed += _fixed(threat[o, a, c], scale) if c else 0",
    ),
    Mutation(
        "compiled-losses-cleared",
        "in the compiled engine too, each day's losses start from 0 where attacks landed before",
        M + "compiled.py",
        "        touched[c] |= _actor_bit(i) | _actor_bit(k)\n        entry_casualties[j]",
        "        entry_casualties[j]",
    ),
    Mutation(
        "compiled-tallies-where-touched",
        "the compiled record tallies the day's losses in every column resolve wrote to",
        M + "compiled.py",
        "            for j in range(hits):\n"
        "                c = hit[j]\n"
        "                if not touched",
        "            for j in range(hits - 1):\n"
        "                c = hit[j]\n"
        "                if not touched",
    ),
    Mutation(
        "compiled-tripped-cleared",
        "the compiled engine starts each day with no red line tripped (its array is reused)",
        M + "compiled.py",
        "    tripped.fill(False)  # the kernel writes only the lines tripped\n",
        "",
    ),
    Mutation(
        "compiled-threat-floor",
        "in the compiled engine too, perceived threat is floored at zero after the day's readings",
        M + "compiled.py",
        "                t = t if (t > 0.0 or t != t) else 0.0\n"
        "                threat[o, a, c] = t",
        "                threat[o, a, c] = t",
    ),
    Mutation(
        "compiled-log-blame",
        "in the compiled engine too, the event log records whom the victim blames",
        M + "compiled.py",
        "            attributed[e] = _blamed(k, i, c, rung, attributable, attribute_to, "
        "attribution,\n                                    any_share, keys, attribution_offsets)",
        "            attributed[e] = (i,\n                                    i)[0]",
    ),
    Mutation(
        "compiled-war-pairs",
        "the compiled engine finds a pair at war wherever in the columns its war is",
        M + "compiled.py",
        "            for c in range(R):\n                fights |= at_war[i, k, c]\n"
        "            live[i, k] = fights",
        "            for c in range(1):\n                fights |= at_war[i, k, c]\n"
        "            live[i, k] = fights",
    ),
    Mutation(
        "compiled-weary-of-any-war",
        "in the compiled engine too, a state fighting two wars is worn down where it fights either",
        M + "compiled.py",
        "                    fighting[i, c] |= at_war[i, k, c]",
        "                    fighting[i, c] = at_war[i, k, c]",
    ),
    Mutation(
        "compiled-days-of-any-war",
        "the compiled record counts a day of war wherever any pair fights, not the last pair",
        M + "compiled.py",
        "                        fighting[c] |= at_war[i, k, c]",
        "                        fighting[c] = at_war[i, k, c]",
    ),
    Mutation(
        "compiled-enemy-of-any-war",
        "in the compiled engine too, a state fighting two wars aims at the enemy of either",
        M + "compiled.py",
        "                fighting[c] |= w",
        "                fighting[c] = w",
    ),
    Mutation(
        "compiled-drives-of-yesterday",
        "in the compiled engine, a patron's drives shared with its proxies are today's",
        M + "compiled.py",
        "        drive_done[:] = False\n",
        "        pass\n",
    ),
    Mutation(
        "compiled-proxy-reads-own-drive",
        "in the compiled engine, a militia's wish starts from its patron's drive",
        M + "compiled.py",
        "            patrons = drive[slot[patron], k]\n",
        "            patrons = own\n",
    ),
    Mutation(
        "compiled-postures-no-suppression",
        "in the compiled engine, a suppressive move suppresses (a rung's posture lookup)",
        M + "compiled.py",
        "+ (2 if suppressive[r] else 0)",
        "+ 0",
    ),
    Mutation(
        "compiled-losses-attacker-kept",
        "in the compiled engine, the attacker's row of the day's losses is cleared next day",
        M + "compiled.py",
        "touched[c] |= _actor_bit(i) | _actor_bit(k)",
        "touched[c] |= _actor_bit(k)",
    ),
    Mutation(
        "compiled-losses-past-63-kept",
        "in the compiled engine, the losses of actors past the 63rd are cleared next day",
        M + "compiled.py",
        "if i < 63 else np.int64(-1)",
        "if i < 63 else np.int64(0)",
    ),
    Mutation(
        "compiled-record-skips-losses",
        "in the compiled engine, the record tallies the losses of the actors hit",
        M + "compiled.py",
        "                if not touched[c] & _actor_bit(i):\n                    continue",
        "                if touched[c] & _actor_bit(i):\n                    continue",
    ),
    Mutation(
        "compiled-mirror-pinned",
        "the numpy code under a kernel cannot change unnoticed (the mirror's source hash)",
        M + "actors.py",
        "        Ties go to the first candidate (scenario order).",
        "        Ties go to the first candidate.",
    ),
    Mutation(
        "points-replicate-streams",
        "replicate k of every stacked point draws from replicate k's streams",
        M + "world.py",
        "        self.streams = ReplicateStreams(self._seed, self.layout.replicate)",
        "        self.streams = ReplicateStreams(self._seed, self.layout.first + np.arange(R))",
    ),
]


def run(mutation: Mutation, python: str) -> tuple[str, str]:
    """Apply one mutation in a scratch copy and run the tests; return (verdict, detail)."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        work = Path(tmp)
        for part in ("simulator", "tests", "scenarios", "docs", "history"):
            shutil.copytree(ROOT / part, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        target = work / mutation.path
        text = target.read_text()
        if text.count(mutation.old) != 1:
            return "SNIPPET NOT FOUND", f"{mutation.path}: {mutation.old!r}"
        mutated = text.replace(mutation.old, mutation.new)
        try:
            compile(mutated, str(target), "exec")
        except SyntaxError as err:
            return "BROKEN MUTATION", f"{mutation.path}: {err}"
        target.write_text(mutated)
        env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
        for files in (FAST, SLOW):
            cmd = [python, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", *files]
            done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
            if done.returncode not in (0, 1):  # 2-5: interrupted, internal or usage error
                return "BROKEN MUTATION", (done.stdout + done.stderr).strip()[-300:]
            if done.returncode == 1:
                failed = [
                    ln for ln in done.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))
                ]
                first = failed[0].split(" - ")[0] if failed else done.stdout.strip()[-200:]
                return "caught", first.removeprefix("FAILED ").removeprefix("ERROR ")
        return "NOT CAUGHT", ""


def main() -> int:
    """Run the mutations asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only these mutations (by name)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--jobs", type=int, default=2, help="mutations run at once (default 2)")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:30s} {m.mechanism}")
        return 0
    start = time.time()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda m: run(m, sys.executable), chosen))
    print("| mutation | mechanism disabled | verdict | first failing test |")
    print("|---|---|---|---|")
    for m, (verdict, detail) in zip(chosen, results, strict=True):
        print(f"| {m.name} | {m.mechanism} | {verdict} | {detail} |")
    survived = [m.name for m, (v, _) in zip(chosen, results, strict=True) if v != "caught"]
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} caught in {time.time() - start:.0f} s")
    if survived:
        print("not caught or not found: " + ", ".join(survived))
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
