"""The generated documentation must match the code it documents."""

from pathlib import Path

from simulator.scenario.field_docs import render_reference

DOCS = Path(__file__).parents[1] / "docs"


def test_scenario_reference_matches_the_schema():
    # Regenerate with: python -m simulator.scenario.field_docs > docs/SCENARIOS.md
    committed = (DOCS / "SCENARIOS.md").read_text(encoding="utf-8")
    assert committed == render_reference(), (
        "docs/SCENARIOS.md is out of date; run `python -m simulator.scenario.field_docs > "
        "docs/SCENARIOS.md`"
    )


def test_every_schema_field_is_documented():
    from simulator.scenario.field_docs import SECTIONS

    undocumented = [
        f"{model.__name__}.{name}"
        for _, models, _ in SECTIONS
        for model in models
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert undocumented == []
