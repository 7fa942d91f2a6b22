"""The default escalation ladder shipped with the simulator.

The rungs follow Kahn's ladder (On Escalation, 1965) compressed to the range the 2019–21 crisis
used, from conciliatory gestures to major strikes. Each rung carries:

- ``level``: its position on the ladder in [-1, 1] (status quo = 0), the scale on which actors hold
  a desired escalation level;
- ``hostility``: how hostile it looks at face value in [-1, 1], from the Goldstein (1992)
  conflict–cooperation weights divided by 10 (sign flipped so that hostile is positive);
- ``score``: the Rivera et al. (2024) escalation score of its category (de-escalation −2,
  status quo 0, posturing 4, non-violent escalation 12, violent escalation 28, war 60), summed
  over actors into the escalation index;
- ``defensive``: a defensive-posture move, whose hostility observers read through their
  offense bias (Jervis 1978): an unbiased observer sees none, a fully biased one sees its face
  value;
- ``covert``: may go undetected; ``violent``: resolves into casualties with probability
  ``lethality`` × the actor's capability × (1 − the target's protection), further reduced by
  raids on the attacker and by the host's security where it lands;
- ``protection``/``duration``: for defensive moves, the share of incoming attacks' success removed
  and for how many days;
- ``fatality``: for violent moves, the share of casualties who are killed;
- ``cost``: the utility cost of the move where it differs from ``dynamics.action_cost`` — gestures
  are cheaper than posturing, yet costly enough to carry evidence (Kydd 2005);
- ``evidence``: the log-likelihood ratio, hostile type vs security seeker, that an unbiased
  observer reads from the move: 0 for cheap talk (threats) and defensive posture, rising with
  offensive intent, negative for reassurance;
- ``actors``: which actor types have it on their menu; ``targets``: which target types it can be
  aimed at (both default to every type).
"""

from __future__ import annotations

from typing import Any

DEFAULT_LADDER: list[dict[str, Any]] = [
    {
        "name": "agreement",
        "label": "Agreement / ceasefire",
        "category": "de-escalation",
        "level": -0.5,
        "hostility": -0.8,  # Goldstein: sign agreement +8, ceasefire +9
        "score": -2,
        "cost": 2.0,  # a signed agreement binds: costly, hence believed
        "evidence": -2.0,
        "actors": ["state"],
    },
    {
        "name": "conciliatory",
        "label": "Conciliatory gesture / mediation",
        "category": "de-escalation",
        "level": -0.25,
        "hostility": -0.3,  # Goldstein: consult +1 … negotiate +7; a mild gesture
        "score": -2,
        "cost": 1.0,  # cheaper than posturing, yet above what a hostile type pays to mimic
        "evidence": -1.0,
    },
    {
        "name": "status_quo",
        "label": "Status quo",
        "category": "status quo",
        "level": 0.0,
        "hostility": 0.0,
        "score": 0,
    },
    {
        "name": "verbal_threat",
        "label": "Threat / demand",
        "category": "posturing",
        "level": 0.15,
        "hostility": 0.6,  # Goldstein: threaten −6
        "score": 4,
    },
    {
        "name": "show_of_force",
        "label": "Show of force",
        "category": "posturing",
        "level": 0.25,
        "hostility": 0.72,  # Goldstein: exhibit force posture −7.2
        "score": 4,
        "defensive": True,
        "protection": 0.1,
        "duration": 3,
        "actors": ["state", "militia"],
        "targets": ["state", "militia"],
    },
    {
        "name": "build_up",
        "label": "Build-up / raised alert",
        "category": "posturing",
        "level": 0.3,
        "hostility": 0.72,  # Goldstein: mobilise / raise alert −7.2
        "score": 4,
        "defensive": True,
        "protection": 0.3,
        "duration": 10,
        "actors": ["state"],
        "targets": ["state", "militia"],
    },
    {
        "name": "tighten_security",
        "label": "Tightened security",
        "category": "posturing",
        "level": 0.3,
        "hostility": 0.4,
        "score": 4,
        "defensive": True,
        "protection": 0.4,
        "duration": 7,
        "actors": ["host"],
    },
    {
        "name": "raid",
        "label": "Police raid on proxies",
        "category": "non-violent",
        "level": 0.45,
        "hostility": 0.7,  # Goldstein: coerce −7
        "score": 12,
        "suppression": 0.5,
        "duration": 7,
        "evidence": 0.3,
        "actors": ["host"],
        "targets": ["militia"],
    },
    {
        "name": "covert_action",
        "label": "Covert action / cyber / sabotage",
        "category": "non-violent",
        "level": 0.5,
        "hostility": 0.7,
        "score": 12,
        "covert": True,
        "damage": 1.0,
        "evidence": 0.5,
        "actors": ["state"],
        "targets": ["state"],
    },
    {
        "name": "harassment",
        "label": "Proxy harassment (rockets, IEDs)",
        "category": "violent",
        "level": 0.6,
        "hostility": 0.9,  # Goldstein: assault −9
        "score": 28,
        "violent": True,
        "lethality": 0.3,  # calibrated: P(US death | militia attack) ≈ 0.03 in the baseline (F06)
        "casualties": 1.5,
        "damage": 0.5,
        "evidence": 0.8,
        "fatality": 0.35,
        "actors": ["militia"],
        # states' forces, and the host government that polices the militia (A6, A15)
        "targets": ["state", "host"],
    },
    {
        "name": "lethal_attack",
        "label": "Lethal attack / targeted killing",
        "category": "violent",
        "level": 0.8,
        "hostility": 1.0,  # Goldstein: assassinate −10
        "score": 28,
        "violent": True,
        "lethality": 0.6,
        "casualties": 2.0,
        "damage": 1.0,
        "evidence": 1.0,
        "fatality": 0.8,
        "actors": ["state", "militia"],
        "targets": ["state", "militia"],
    },
    {
        "name": "limited_strike",
        "label": "Limited strike",
        "category": "violent",
        "level": 0.9,
        "hostility": 1.0,  # Goldstein: bombing −10
        "score": 28,
        "violent": True,
        "lethality": 0.7,
        "casualties": 5.0,
        "damage": 3.0,
        "evidence": 1.0,
        "fatality": 0.6,
        "actors": ["state"],
        "targets": ["state", "militia"],
    },
    {
        "name": "major_strike",
        "label": "Major strikes / war",
        "category": "war",
        "level": 1.0,
        "hostility": 1.0,  # Goldstein: fight −10
        "score": 60,
        "violent": True,
        "lethality": 0.95,
        "casualties": 30.0,
        "damage": 20.0,
        "evidence": 1.5,
        "fatality": 0.5,
        "actors": ["state"],
        "targets": ["state", "militia"],
    },
]
