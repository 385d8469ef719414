"""Terminal view of one Document: the clean text with each annotation coloured by label."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from marsad.document import Document

STYLES = {
    "place": "bold green",
    "actor": "bold red",
    "source": "bold magenta",
    "date": "bold cyan",
    "casualties": "bold yellow",
    "number": "yellow",
    "trigger": "reverse",
    "person": "underline magenta",
    "org": "underline red",
}


def render(doc: Document) -> Group:
    """Highlight inner spans over outer ones (sentences and tokens are left plain)."""
    text = Text(doc.clean)
    for span in sorted(doc.spans, key=lambda s: (s.start, -(s.end - s.start))):
        style = STYLES.get(span.label)
        if style:
            text.stylize(style, span.start, span.end)
    legend = Text("  ".join(f"[{label}]" for label in STYLES), style="dim")
    for label, style in STYLES.items():
        legend.highlight_words([f"[{label}]"], style=style)
    head = Text(f"{doc.id}  {doc.source}  published={doc.published}  title={doc.title!r}", style="bold")
    parts = [head, legend, text]
    if doc.quarantine or doc.duplicate_of:
        parts.append(
            Text(f"rejected: {doc.quarantine or 'duplicate of ' + str(doc.duplicate_of)}", style="red")
        )
    if doc.events:
        table = Table("type", "date", "actor1", "location", "status", "source", "evidence")
        for ev in doc.events:
            table.add_row(
                ev.sub_event_type,
                str(ev.event_date),
                str(ev.actor1),
                str(ev.location),
                ev.status + (" (historical)" if ev.historical else ""),
                ", ".join(ev.attributed_to),
                ev.evidence[0].text[:80] if ev.evidence else "",
            )
        parts.append(table)
    return Group(*parts)
