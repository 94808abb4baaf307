"""Generated tables inside the docs: the text between two HTML-comment markers is
rewritten from the code (the permissions table, the layers table)."""

from __future__ import annotations

from pathlib import Path


def between_markers(document: str, start: str, end: str, body: str) -> str:
    """``document`` with the text between ``start`` and ``end`` replaced by ``body``;
    ValueError when either marker is missing."""
    head, found, rest = document.partition(start)
    if not found or end not in rest:
        raise ValueError(f"no {start} … {end} markers")
    return f"{head}{start}\n{body}{end}{rest.partition(end)[2]}"


def update_file(path: str | Path, start: str, end: str, body: str) -> None:
    """Rewrite the marked part of the file at ``path`` in place."""
    target = Path(path)
    text = target.read_text(encoding="utf-8")
    target.write_text(between_markers(text, start, end, body), encoding="utf-8")
