"""Modules of our dependencies that are imported with their importers but loaded on first use.

``import mesa`` runs ``mesa/__init__.py``, which imports ``mesa.experimental``, which imports
``mesa.experimental.continuous_space``, which imports ``scipy.spatial`` (k-d trees, Qhull,
sparse matrices): about 0.15 s of a 2 s ``escalation run``, for a space this model never uses.
:func:`defer` puts a stand-in for such a module into ``sys.modules`` before its importer runs.
The stand-in carries the real module's spec and ``__path__``, so ``import`` finds it as ever;
the first attribute it lacks (``ContinuousSpace``, say) runs the real module's code in it, and
from then on it is that module.

The same holds:

- ``pandas``, which ``mesa.datacollection`` imports for its data frames (a Mesa collector this
  model does not use). pandas and the pyarrow it brings are 66 MB of a process's memory and
  ~0.2 s of imports: a script that builds and runs the model alone never loads them. The
  tables, the console and the plots use pandas, and load it with their first call;
- ``scipy.special``'s package code (its array-API wrappers, 0.2 s) while the model imports
  only compiled functions from its ``_ufuncs`` submodule (:mod:`simulator.model.special`);
  ``scipy.stats``, or anything else that asks ``scipy.special`` for a name, loads the whole
  package then.

Importing a submodule of a stand-in (``import pandas.api.types``) loads the package first, as a
plain import would, and then gives the submodule the package imported, never a second copy.
``scipy.special`` is the exception (:data:`SUBMODULES_ALONE`): the model imports its
``_ufuncs`` without its package code, and ``scipy.special``'s ``__init__`` only re-exports.

Only modules that nothing reads while their importer is imported may be deferred
(``mesa.experimental`` imports ``continuous_space`` and binds the name; ``mesa.datacollection``
binds ``pd`` and reads it only in its functions). Nothing changes if the module was imported
already, or is not installed. Loading is guarded by a lock, as the standard library's
``importlib.util.LazyLoader`` is, so two threads that first use a stand-in at once load it once.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Sequence

#: loaded on first use (see the module's docstring), deferred when :mod:`simulator` is imported
DEFERRED = ("mesa.experimental.continuous_space", "scipy.special", "pandas")
#: stand-ins whose submodules import without loading the package: scipy.special's ``__init__``
#: only re-exports, and the model takes compiled functions from its ``_ufuncs``
SUBMODULES_ALONE = frozenset({"scipy.special"})

#: held while a stand-in loads; re-entrant, since a package's code may import its own names
_LOCK = threading.RLock()
#: the stand-ins whose code is running now: asked for a name it has not yet defined, such a
#: module answers as any partly imported module does (AttributeError)
_LOADING: set[str] = set()


class _OnFirstUse(types.ModuleType):
    """A module whose code runs when it is first used: asked for an attribute it lacks.

    Listing its names (``dir``, a notebook's completion) counts as a use.
    """

    def _load(self) -> None:
        with _LOCK:
            if type(self) is not _OnFirstUse:  # another thread loaded it while this one waited
                return
            name = self.__name__
            if name in _LOADING:  # its own code (or a circular import) asks for a name too early
                raise AttributeError(f"partially initialized module {name!r} has no such name yet")
            spec = self.__spec__
            if spec is None or spec.loader is None:  # pragma: no cover - defer() sets both
                raise AttributeError(f"no loader for {name}")
            _LOADING.add(name)
            try:
                spec.loader.exec_module(self)
            finally:
                _LOADING.discard(name)
            object.__setattr__(self, "__class__", types.ModuleType)  # from here on a plain module

    def __getattr__(self, name: str) -> object:
        self._load()
        return getattr(self, name)

    def __dir__(self) -> list[str]:
        self._load()
        return dir(self)


def _unloaded_package(name: str) -> _OnFirstUse | None:
    """The stand-in, not yet loaded, of a package that ``name`` is a submodule of, if any."""
    parent = name.rpartition(".")[0]
    while parent:
        module = sys.modules.get(parent)
        passes = parent in SUBMODULES_ALONE or parent in _LOADING  # submodules import as ever
        if type(module) is _OnFirstUse and not passes:
            return module
        parent = parent.rpartition(".")[0]
    return None


class _PackageFirst(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import a stand-in's submodule by loading the package first, as a plain import does.

    The import system asks this finder first. For a submodule of a stand-in not yet loaded it
    answers with itself as the loader, which loads the package and hands back the submodule the
    package imported (or imports it now, if the package did not). Finding must not load
    anything: it runs under the import system's global lock.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if _unloaded_package(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        package = _unloaded_package(spec.name)
        if package is not None:
            package._load()
        # the submodule the package imported, or (if it did not) imported now, as ever
        return importlib.import_module(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: :meth:`create_module` gave a module that is imported already."""


_FINDER = _PackageFirst()


def defer(name: str) -> bool:
    """Stand in for module ``name`` until first use; whether a stand-in was put in place."""
    top = name.partition(".")[0]
    if top in sys.modules or name in sys.modules:
        return False
    try:
        found = importlib.util.find_spec(top)  # finds the top package without running it
    except (ImportError, ValueError):
        return False
    if found is None:
        return False
    spec: importlib.machinery.ModuleSpec | None = found
    if name != top:
        if not found.submodule_search_locations:
            return False
        *parents, leaf = name.split(".")[1:]
        where = [os.path.join(base, *parents) for base in found.submodule_search_locations]
        spec = importlib.machinery.PathFinder.find_spec(name, where)
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)  # name, spec, file and __path__: no code run
    module.__class__ = _OnFirstUse
    sys.modules[name] = module
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    return True


def load(name: str) -> types.ModuleType:
    """Import module ``name`` and run its code now, stand-in or not (a process warming up)."""
    module = importlib.import_module(name)
    if type(module) is _OnFirstUse:
        module._load()
    return module


def defer_all() -> None:
    """Defer every module of :data:`DEFERRED` that is not imported yet."""
    for name in DEFERRED:
        defer(name)
