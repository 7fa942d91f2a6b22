"""Actor types: declared metadata checked by one shared test, and tables of scripted moves.

In the manner of Axelrod-Python's strategy tests: every actor class declares a ``classifier`` dict,
and one parametrised test checks each declaration against what the class actually does on the
default ladder; scripted opponents (forced moves from ``kind: action`` events) pin behaviour.
"""

from __future__ import annotations

import pytest

from simulator.model import OUTCOMES
from simulator.model.actors import ACTOR_CLASSES, Actor
from simulator.model.ladder import ACTOR_TYPES, Ladder
from simulator.model.outcomes import THREAT_SCALE
from simulator.scenario import ScenarioError
from simulator.scenario.schema import HostActor, MilitiaActor, Scenario, StateActor

CLASSIFIER_KEYS = {"type", "has_patron", "violent", "polices"}
SCHEMAS = {"state": StateActor, "host": HostActor, "militia": MilitiaActor}


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    """The default ladder, as every scenario without a ``ladder:`` block gets it."""
    return Ladder.from_rungs(list(Scenario.model_fields["ladder"].default))


def default_menu(ladder: Ladder, kind: str) -> list[str]:
    row = ladder.for_actor[ACTOR_TYPES.index(kind)]
    return [name for name, on in zip(ladder.names, row, strict=True) if on]


# -- the shared metadata test ---------------------------------------------------------------------


def test_every_actor_type_has_a_class():
    assert set(ACTOR_CLASSES) == set(ACTOR_TYPES)
    for kind, cls in ACTOR_CLASSES.items():
        assert issubclass(cls, Actor) and cls.kind == kind


@pytest.mark.parametrize("kind", list(ACTOR_CLASSES))
def test_classifier_matches_the_class(kind, ladder):
    cls = ACTOR_CLASSES[kind]
    assert set(cls.classifier) == CLASSIFIER_KEYS
    assert cls.classifier["type"] == cls.kind
    menu = default_menu(ladder, kind)
    assert "status_quo" in menu, "doing nothing must be on every default menu"
    # has_patron ⇔ the scenario schema of the type has a (required) patron
    patron = SCHEMAS[kind].model_fields.get("patron")
    assert cls.classifier["has_patron"] == (patron is not None and patron.is_required())
    # polices ⇔ a rung that suppresses proxies (a raid) is on its menu
    polices = any(ladder.suppression[ladder.index(r)] > 0 for r in menu)
    assert cls.classifier["polices"] == polices
    # every rung on the menu can be aimed at some type of actor, and at least one moves up
    assert all(ladder.against[ladder.index(r)].any() for r in menu)
    assert any(ladder.level[ladder.index(r)] > 0 for r in menu)


@pytest.mark.parametrize("kind", list(ACTOR_CLASSES))
def test_violent_iff_violent_rungs_on_menu(kind, ladder):
    menu = default_menu(ladder, kind)
    violent = [r for r in menu if ladder.violent[ladder.index(r)]]
    assert ACTOR_CLASSES[kind].classifier["violent"] == bool(violent), violent


def test_militia_cannot_sign_an_agreement(ladder):
    assert "agreement" not in default_menu(ladder, "militia")
    assert "agreement" in default_menu(ladder, "state")


def test_host_does_not_strike(ladder):
    menu = default_menu(ladder, "host")
    assert not any(ladder.violent[ladder.index(r)] for r in menu)
    assert ACTOR_CLASSES["host"].classifier["violent"] is False
    assert "raid" in menu and "tighten_security" in menu


def test_states_can_strike(ladder):
    menu = default_menu(ladder, "state")
    assert {"limited_strike", "major_strike"} <= set(menu)
    assert ACTOR_CLASSES["state"].classifier["violent"] is True


def test_model_builds_the_declared_class_with_its_default_menu(make_proxy_scenario, build_model):
    model = build_model(make_proxy_scenario(), replicates=2)
    for actor, spec in zip(model.actors, model.scenario.actors.values(), strict=True):
        assert type(actor) is ACTOR_CLASSES[spec.type]
        assert actor.kind == spec.type
        menu = [model.ladder.names[i] for i in actor.menu]
        assert menu == default_menu(model.ladder, spec.type)


def test_a_menu_cannot_give_a_host_a_strike(make_proxy_scenario):
    with pytest.raises(ScenarioError, match="not available to a host"):
        make_proxy_scenario(actors={"Host": {"menu": ["status_quo", "limited_strike"]}})
    with pytest.raises(ScenarioError, match="not available to a militia"):
        make_proxy_scenario(actors={"Proxy": {"menu": ["status_quo", "agreement"]}})


# -- scripted opponents: Red is forced to one move against Blue on day 3 --------------------------

FORCED_DAY = 3  # 2024-01-04 in the dyad starting 2024-01-01


def scripted_dyad(make, rung: str, blue: dict | None = None, red: dict | None = None, **overrides):
    """The calm dyad (λ = 20, a little initial threat) with Red forced to ``rung`` on day 3.

    Without the event both states stay at the status quo throughout (P(move) ≈ e^-20·3 a day),
    so every difference below is the forced move's doing.
    """
    actors = {
        "Blue": {"initial_threat": {"Red": 0.2}, **(blue or {})},
        "Red": {"initial_threat": {"Blue": 0.2}, **(red or {})},
    }
    event = {"date": "2024-01-04", "kind": "action", "actor": "Red", "rung": rung, "target": "Blue"}
    params = {"rationality": 20.0, "horizon_days": 30, "replicates": 400, "actors": actors}
    return make(**(params | overrides), events=[event])


# rung forced on Red → (first direct clash day, first war day, the outcome in every replicate);
# -1 = never. The table holds exactly in all 400 replicates.
SCRIPTED = {
    "status_quo": (-1, -1, {"de_escalated"}),
    "verbal_threat": (-1, -1, {"de_escalated"}),  # a threat decays: the crisis ends calmer
    "covert_action": (-1, -1, {"contained"}),  # hostile but bloodless
    "lethal_attack": (FORCED_DAY, -1, {"direct_clash"}),
    "limited_strike": (FORCED_DAY, -1, {"direct_clash"}),
    "major_strike": (FORCED_DAY, FORCED_DAY, {"war"}),
}


@pytest.mark.parametrize("rung", list(SCRIPTED))
def test_scripted_move_table(rung, make_scenario, build_model):
    clash_day, war_day, outcomes = SCRIPTED[rung]
    model = build_model(scripted_dyad(make_scenario, rung))
    rec = model.run()
    red, lad = model.index_of["Red"], model.ladder
    # Before the forced day nobody moves; on it, the forced move is Red's in every replicate.
    assert (rec.mix[:FORCED_DAY, :, lad.status_quo] == 400).all()
    assert rec.mix[FORCED_DAY, red, lad.index(rung)] == 400
    assert (rec.first_clash == clash_day).all()
    assert (rec.first_war == war_day).all()
    assert {OUTCOMES[c] for c in rec.outcome_codes()} == outcomes


def test_forced_limited_strike_is_at_least_a_direct_clash(make_scenario, build_model):
    model = build_model(scripted_dyad(make_scenario, "limited_strike"))
    rec = model.run()
    assert (rec.first_clash == FORCED_DAY).all()
    assert (rec.outcome_codes() <= OUTCOMES.index("direct_clash")).all()
    # The strike resolves into casualties at its lethality × capability: 0.7 × 0.5 = 0.35 per
    # strike on an unprotected target (binomial SE on 400 ≈ 0.024; tolerance ±0.1 ≈ 4 SE).
    hit = rec.lethal_attacks[model.index_of["Red"]] > 0
    assert hit.mean() == pytest.approx(0.35, abs=0.1)
    assert (rec.casualties[model.index_of["Blue"]][hit] >= 1).all()


def test_red_line_answers_a_forced_strike(make_scenario, build_model):
    """Blue's red line (any loss → a limited strike on the perpetrator within 3 days) trips
    exactly where Red's strike drew blood, and makes retaliation the rule there."""
    red_line = {
        "threshold": 1,
        "trigger": "casualties",
        "against": "perpetrator",
        "response": "limited_strike",
        "delay_min": 1,
        "delay_max": 3,
    }
    committed = {"resolve": 0.8, "audience_cost": 1.0, "red_lines": [red_line]}
    uncommitted = {"resolve": 0.8, "audience_cost": 1.0}
    results = {}
    for label, blue in (("red line", committed), ("none", uncommitted)):
        model = build_model(scripted_dyad(make_scenario, "limited_strike", blue=blue))
        rec = model.run()
        b = model.index_of["Blue"]
        hurt = rec.casualties[b] > 0
        assert 50 < hurt.sum() < 350  # the strike drew blood in some replicates, not all
        results[label] = (rec, b, hurt)

    rec, b, hurt = results["red line"]
    assert (rec.red_lines_tripped[b] == hurt).all()
    # Retaliation rate where Blue was hurt: observed ≈ 0.91 with the red line against ≈ 0.09
    # without (same seed, same strike outcomes); thresholds 0.75 / 0.25 leave ≥ 4 SE of room.
    retaliated = (rec.attacks[b][hurt] > 0).mean()
    assert retaliated > 0.75
    assert (rec.attacks[b][~hurt] == 0).all()  # unhurt, Blue has nothing to avenge
    rec0, b0, hurt0 = results["none"]
    assert (hurt0 == hurt).all()  # the forced strike's draws do not depend on Blue's red line
    assert (rec0.attacks[b0][hurt0] > 0).mean() < 0.25
    assert rec0.red_lines_tripped.sum() == 0


# -- forced moves outside an actor's menu (hindcasts inject historical moves) ---------------------


def test_forced_strike_by_actor_without_violent_menu_still_hurts(make_scenario, build_model):
    red = {"menu": ["status_quo", "verbal_threat"], "capability": 1.0}
    model = build_model(scripted_dyad(make_scenario, "limited_strike", red=red))
    rec = model.run()
    r = model.index_of["Red"]
    assert (rec.attacks[r] == 1).all() and (rec.first_clash == FORCED_DAY).all()
    # lethality 0.7 × capability 1.0 on an unprotected target: 70 % of strikes hit (±0.1 ≈ 4 SE)
    assert (rec.lethal_attacks[r] > 0).mean() == pytest.approx(0.7, abs=0.1)


def test_forced_covert_move_by_actor_without_covert_menu_can_go_unseen(make_scenario, build_model):
    model = build_model(
        scripted_dyad(
            make_scenario,
            "covert_action",
            red={"menu": ["status_quo", "verbal_threat"]},
            perception={"Blue": {"Red": {"detection": 0.0}}},
        )
    )
    rec = model.run()
    blue, red = model.index_of["Blue"], model.index_of["Red"]
    assert rec.mix[FORCED_DAY, red, model.ladder.index("covert_action")] == 400
    # Blue never detects Red's covert moves, so its threat from Red only decays from 0.2 (memory
    # 0.85 a day); seen, the move would add threat_gain × hostility = 0.15 × 0.7 on day 3.
    mean_threat = rec.threat_sum[FORCED_DAY, blue, red] / THREAT_SCALE / model.replicates
    # threat is summed in fixed point (2**-32): exact to about 1e-9
    assert mean_threat == pytest.approx(0.2 * 0.85 ** (FORCED_DAY + 1), rel=1e-7)
