"""Numbering of the day's random draws, so each draw has a fixed address in its replicate stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

_PER_ACTOR = ("choice", "obey", "hit", "size")
_PER_PAIR = ("detect", "noise", "attribution")


class DrawSites:
    """Site numbers for every per-actor and per-(observer, actor) draw of a day."""

    def __init__(self, model: EscalationModel):
        n = model.n
        self.actor_site = {name: np.arange(n) + k * n for k, name in enumerate(_PER_ACTOR)}
        base = len(_PER_ACTOR) * n
        self.pair_site = {
            name: (base + k * n * n + np.arange(n * n).reshape(n, n))
            for k, name in enumerate(_PER_PAIR)
        }
        self.count = base + len(_PER_PAIR) * n * n
        self._model = model

    def draw(self, day: int) -> DayDraws:
        """The draws of one day, generated on demand."""
        return DayDraws(self, self._model.streams, day)


class DayDraws:
    """Lazy access to one day's uniforms by purpose."""

    def __init__(self, sites: DrawSites, streams, day: int):
        self._sites, self._streams, self._day = sites, streams, day

    def _actor(self, name: str, i: int, columns: np.ndarray | None = None) -> np.ndarray:
        return self._streams.uniform(self._day, int(self._sites.actor_site[name][i]), columns)

    def _pair(self, name: str, o: int, a: int, columns: np.ndarray | None = None) -> np.ndarray:
        site = int(self._sites.pair_site[name][o, a])
        return self._streams.uniform(self._day, site, columns)

    def choice(self, i: int) -> np.ndarray:
        """Which rung actor ``i`` picks from its logit distribution."""
        return self._actor("choice", i)

    def obey(self, i: int) -> np.ndarray:
        """Whether proxy ``i`` obeys its patron's order today."""
        return self._actor("obey", i)

    def hit(self, i: int, columns: np.ndarray) -> np.ndarray:
        """Whether actor ``i``'s violent move causes casualties (in the given replicates)."""
        return self._actor("hit", i, columns)

    def size(self, i: int, columns: np.ndarray) -> np.ndarray:
        """How many casualties actor ``i``'s successful violent move causes."""
        return self._actor("size", i, columns)

    def detect(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Whether observer ``o`` detects actor ``a``'s covert move (in the given replicates)."""
        return self._pair("detect", o, a, columns)

    def noise(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Observer ``o``'s perception noise about actor ``a``'s move."""
        return self._pair("noise", o, a, columns)

    def attribution(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Whether observer ``o`` blames actor ``a``'s move on its patron."""
        return self._pair("attribution", o, a, columns)
