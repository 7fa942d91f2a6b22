"""The mutation table (.ci/mutations.py) still fits the code: every snippet occurs exactly once.

The mutation check itself takes minutes and is not part of CI; a snippet that no longer matches
(the line was rewritten) would only show when someone runs it. This keeps the table honest on
every change: rewrite a mechanism's line, and update its mutation with it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_mutation_snippet_occurs_exactly_once() -> None:
    spec = importlib.util.spec_from_file_location("ci_mutations", ROOT / ".ci" / "mutations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_mutations"] = module  # dataclasses look their module up while building
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["ci_mutations"]
    stale = [
        f"{m.name}: {m.path} holds its snippet {count} times"
        for m in module.MUTATIONS
        if (count := (ROOT / m.path).read_text(encoding="utf-8").count(m.old)) != 1
    ]
    assert not stale, "update these mutations in .ci/mutations.py:\n" + "\n".join(stale)
    names = [m.name for m in module.MUTATIONS]
    assert len(names) == len(set(names)), "two mutations share a name"
