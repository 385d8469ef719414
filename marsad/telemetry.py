"""``marsad rules report``: what every lexicon entry and coded rule does over a corpus.

The pipeline codes the corpus as ``marsad run`` would (without a store); every match names its
lexicon and entry (``marsad.text.match``) and every coded rule names itself when it fires
(``marsad.rules``), so counting both says which entries and rules fire, in how many articles,
and which never fire: an entry or rule that fires nowhere in the 31k-article corpus has not
earned its place.
"""

from __future__ import annotations

import ast
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from marsad import rules
from marsad.document import Document

# Word lists up to this size have their silent entries listed one by one; larger lexicons (the
# gazetteer's names, the actor catalogue, generated verb forms) only counted.
LIST_SILENT = 400


def declared_rules() -> set[str]:
    """Every rule name the code fires (``rules.fire("...")``) and every policy rule."""
    from marsad.events.lexicon import policy

    names = {rule.name for rule in policy().default_actors}
    for path in Path(__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "fire"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def count(docs: Iterable[Document], pipeline: Any) -> dict[str, Any]:
    """Code ``docs`` and count lexicon entries and rules: fires and articles for each."""
    matcher = pipeline.get("match").matcher
    fires: Counter[tuple[str, str]] = Counter()
    articles: Counter[tuple[str, str]] = Counter()
    rule_articles: Counter[str] = Counter()
    n = rejected = 0
    t0 = time.perf_counter()
    with rules.counting() as rule_fires:
        for doc in docs:
            before = Counter(rule_fires)
            doc = pipeline(doc)
            n += 1
            if doc.rejected or doc.matches is None:
                rejected += 1
                continue
            rule_articles.update(k for k, v in rule_fires.items() if v > before.get(k, 0))
            m = doc.matches
            seen: set[tuple[str, str]] = set()
            by_word = Counter(map(id, m.hits))
            words = {id(h): h for h in m.hits}
            for key, times in by_word.items():
                for lexicon, hits in words[key].single.items():
                    for hit in hits:
                        entry = (lexicon, hit.entry.id)
                        fires[entry] += times
                        seen.add(entry)
            for found in m.phrases.values():
                for x in found:
                    entry = (x.lexicon, x.entry.id)
                    fires[entry] += 1
                    seen.add(entry)
            articles.update(seen)
        rule_counts = Counter(rule_fires)
    lexicons = {}
    for name, lex in matcher.lexicons.items():
        # a lexicon of a test (Lexicon.where) lists no entries: its words are those it tagged
        ids = sorted(
            {e.id for e in lex.entries()} if lex.test is None else {i for n, i in fires if n == name}
        )
        fired = {i: (fires[(name, i)], articles[(name, i)]) for i in ids if fires[(name, i)]}
        lexicons[name] = {
            "entries": len(ids),
            "fired": len(fired),
            "fires": sum(f for f, _ in fired.values()),
            "top": sorted(fired.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:10],
            "silent": [i for i in ids if i not in fired],
            "rare": sorted(i for i, (_f, a) in fired.items() if a < 3),
        }
    declared = declared_rules()
    return {
        "documents": n,
        "rejected": rejected,
        "seconds": round(time.perf_counter() - t0, 1),
        "lexicons": lexicons,
        "rules": {
            name: {"fires": rule_counts[name], "articles": rule_articles[name]}
            for name in sorted(declared | set(rule_counts))
        },
    }


def format_report(report: dict[str, Any], top: int = 5) -> str:
    """The report as text: lexicons, rules by articles, then what never fired."""
    lines = [
        f"{report['documents']:,} documents ({report['rejected']:,} rejected or copies) "
        f"in {report['seconds']:,} s",
        "",
        f"{'lexicon':<34} {'entries':>8} {'fired':>7} {'silent':>7} {'fires':>9}  most articles",
    ]
    for name, lx in sorted(report["lexicons"].items()):
        best = ", ".join(f"{i} {a}" for i, (_f, a) in lx["top"][:top])
        lines.append(
            f"{name:<34} {lx['entries']:>8,} {lx['fired']:>7,} {len(lx['silent']):>7,} {lx['fires']:>9,}  {best}"
        )
    lines += ["", f"{'rule':<90} {'fires':>8} {'articles':>9}"]
    ranked = sorted(report["rules"].items(), key=lambda kv: (-kv[1]["articles"], kv[0]))
    lines += [f"{name:<90} {r['fires']:>8,} {r['articles']:>9,}" for name, r in ranked if r["fires"]]
    lines += ["", "never fired:"]
    lines += [f"  rule {name}" for name, r in ranked if not r["fires"]]
    for name, lx in sorted(report["lexicons"].items()):
        if lx["silent"] and lx["entries"] <= LIST_SILENT:
            lines.append(f"  {name}: {', '.join(lx['silent'])}")
        elif lx["silent"]:
            lines.append(f"  {name}: {len(lx['silent']):,} of {lx['entries']:,} entries")
    rare = [(name, lx["rare"]) for name, lx in sorted(report["lexicons"].items()) if lx["rare"]]
    if rare:
        lines += ["", "fired in fewer than 3 articles:"]
        for name, ids in rare:
            shown = ", ".join(ids[:40]) + (f" ... ({len(ids):,})" if len(ids) > 40 else "")
            lines.append(f"  {name}: {shown}")
    return "\n".join(lines) + "\n"
