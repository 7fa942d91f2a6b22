"""Named draw sites: each use of randomness has a fixed address in its replicate's stream.

A site is a purpose ("choice", "noise", …) and the indices it concerns (an actor, an observer and
an actor). Its key hashes both (:func:`simulator.model.rng.site_key`), so a new purpose added to the
model leaves every existing draw — and every stored number — unchanged.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simulator.model.rng import ReplicateStreams, site_key

_key = lru_cache(maxsize=None)(site_key)


class DayDraws:
    """Lazy access to one day's uniforms by purpose, for all replicates or some columns."""

    def __init__(self, streams: ReplicateStreams, day: int):
        self._streams, self._day = streams, day

    @property
    def day(self) -> int:
        """The day these draws belong to."""
        return self._day

    def _draw(self, purpose: str, *idx: int, columns: np.ndarray | None = None) -> np.ndarray:
        return self._streams.uniform(self._day, _key(purpose, *idx), columns)

    def choice(self, i: int) -> np.ndarray:
        """Which rung actor ``i`` picks from its logit distribution."""
        return self._draw("choice", i)

    def obey(self, i: int) -> np.ndarray:
        """Whether proxy ``i`` obeys its patron's order today."""
        return self._draw("obey", i)

    def hit(self, i: int, columns: np.ndarray) -> np.ndarray:
        """Whether actor ``i``'s violent move causes casualties (in the given replicates)."""
        return self._draw("hit", i, columns=columns)

    def size(self, i: int, columns: np.ndarray) -> np.ndarray:
        """How many casualties actor ``i``'s successful violent move causes."""
        return self._draw("size", i, columns=columns)

    def deaths(self, i: int, columns: np.ndarray) -> np.ndarray:
        """How many of those casualties are killed."""
        return self._draw("deaths", i, columns=columns)

    def detect(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Whether observer ``o`` detects actor ``a``'s covert move (in the given replicates)."""
        return self._draw("detect", o, a, columns=columns)

    def noise(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Observer ``o``'s perception noise about actor ``a``'s move."""
        return self._draw("noise", o, a, columns=columns)

    def attribution(self, o: int, a: int, columns: np.ndarray) -> np.ndarray:
        """Whether observer ``o`` blames actor ``a``'s move on its patron."""
        return self._draw("attribution", o, a, columns=columns)
