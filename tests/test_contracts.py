"""Declared stage contracts: checked when a pipeline is built, honoured by every stage, documented."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from conftest import ROOT, SYRIA_2015

from marsad.document import Document
from marsad.pipeline import (
    BEGIN,
    DEFAULT_PIPELINE,
    END,
    Label,
    Pipeline,
    PipelineError,
    assigned_by,
    component,
    contracts_markdown,
    validate,
)
from marsad.runner import BACK, FRONT


def test_docs_show_the_contracts_of_the_code() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = text.partition(BEGIN)[2].partition(END)[0]
    assert shown == contracts_markdown(), "regenerate: python -m marsad.pipeline docs/architecture.md"


def test_unknown_component_is_e001() -> None:
    with pytest.raises(PipelineError, match=r"\[E001\] unknown pipeline component 'place'"):
        Pipeline.from_names(["tokens", "place"])


def test_missing_stage_is_e003_and_names_the_stage_to_add() -> None:
    with pytest.raises(PipelineError) as err:
        Pipeline.from_names(["tokens", "match", "events"])
    assert err.value.code == "E003"
    assert "requires 'sentence'" in str(err.value) and "add 'sentences' before 'events'" in str(err.value)
    with pytest.raises(PipelineError, match=r"requires 'tokens'.*add 'tokens' before 'places'"):
        Pipeline.from_names(["clean", "places"])


def test_a_pipeline_may_continue_another() -> None:
    Pipeline.from_names(list(FRONT))
    Pipeline.from_names(list(BACK), given=assigned_by(FRONT))
    with pytest.raises(PipelineError, match="E003"):
        Pipeline.from_names(["events"])
    Pipeline.from_names(["events"], given=assigned_by(DEFAULT_PIPELINE[:-1]))


def test_a_stage_breaking_its_contract_is_caught() -> None:
    @component("_test_liar", assigns=[Label("thing", "", {"size": (int, "")})])
    def make_liar():
        def liar(doc: Document) -> Document:
            doc.add(0, 1, "thing", size="big")
            return doc

        return liar

    doc = Document(id="x", text="abc")
    make_liar()(doc)
    with pytest.raises(PipelineError, match="E005"):
        validate("_test_liar", doc, 0)
    doc.add(0, 1, "other")
    with pytest.raises(PipelineError, match="E004"):
        validate("_test_liar", doc, 1)


def test_every_stage_honours_its_contract() -> None:
    """The whole pipeline, NER included, with every added span checked against its declaration."""
    pipeline = Pipeline.from_names([*DEFAULT_PIPELINE[:-1], "ner", "events"], validate=True)
    texts = [(ROOT / "examples" / "sample-ar.txt").read_text(encoding="utf-8")]
    if Path(SYRIA_2015).exists():
        with open(SYRIA_2015, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in islice(fh, 40)]
    for i, text in enumerate(texts):
        pipeline(Document(id=f"c{i}", text=text))
