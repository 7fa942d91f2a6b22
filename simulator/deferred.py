"""Submodules of our dependencies that are imported with their package but loaded on first use.

``import mesa`` runs ``mesa/__init__.py``, which imports ``mesa.experimental``, which imports
``mesa.experimental.continuous_space``, which imports ``scipy.spatial`` (k-d trees, Qhull,
sparse matrices): about 0.15 s of a 2 s ``escalation run``, for a space this model never uses.
:func:`defer` puts a stand-in for such a submodule into ``sys.modules`` before its package is
imported. The stand-in carries the real module's spec and ``__path__``, so importing it and its
submodules works as ever; the first attribute it lacks (``ContinuousSpace``, say) runs the real
module's code in it, and from then on it is that module.

The same holds ``scipy.special``'s package code (its array-API wrappers, 0.2 s) while the
model imports only compiled functions from its ``_ufuncs`` submodule
(:mod:`simulator.model.special`); ``scipy.stats``, or anything else that asks ``scipy.special``
for a name, loads the whole package then.

Only submodules that nothing in their package reads while the package is imported may be
deferred (``mesa.experimental`` imports ``continuous_space`` and binds the name, nothing more;
``scipy`` imports its submodules only when asked for them).
Nothing changes if the package was imported already, or is not installed, or is laid out
otherwise.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import types

#: loaded on first use (see the module's docstring), deferred when :mod:`simulator` is imported:
#: Mesa's continuous space, and ``scipy.special``'s package code, whose array-API layer took
#: 0.2 s to import for the four compiled functions the model takes from it
#: (:mod:`simulator.model.special`)
DEFERRED = ("mesa.experimental.continuous_space", "scipy.special")


class _OnFirstUse(types.ModuleType):
    """A module whose code runs when it is first used: asked for an attribute it lacks.

    Listing its names (``dir``, a notebook's completion) counts as a use.
    """

    def _load(self) -> None:
        spec = self.__spec__
        if spec is None or spec.loader is None:  # pragma: no cover - defer() sets both
            raise AttributeError(f"no loader for {self.__name__}")
        object.__setattr__(self, "__class__", types.ModuleType)  # from here on a plain module
        spec.loader.exec_module(self)

    def __getattr__(self, name: str) -> object:
        self._load()
        return getattr(self, name)

    def __dir__(self) -> list[str]:
        self._load()
        return dir(self)


def defer(name: str) -> bool:
    """Stand in for module ``name`` until first use; whether a stand-in was put in place."""
    top, _, rest = name.partition(".")
    if not rest or top in sys.modules or name in sys.modules:
        return False
    try:
        package = importlib.util.find_spec(top)  # finds the top package without running it
    except (ImportError, ValueError):
        return False
    if package is None or not package.submodule_search_locations:
        return False
    *parents, leaf = rest.split(".")
    where = [os.path.join(base, *parents) for base in package.submodule_search_locations]
    spec = importlib.machinery.PathFinder.find_spec(name, where)
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)  # name, spec, file and __path__: no code run
    module.__class__ = _OnFirstUse
    sys.modules[name] = module
    return True


def defer_all() -> None:
    """Defer every module of :data:`DEFERRED` whose package is not imported yet."""
    for name in DEFERRED:
        defer(name)
