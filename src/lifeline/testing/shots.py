"""Where browser tests leave their screenshots, to be looked at after a run:
``$LIFELINE_SCREENSHOTS`` or ``lifeline-screenshots`` in the system's temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def screenshots_dir(part: str = "") -> Path:
    root = os.environ.get("LIFELINE_SCREENSHOTS") or Path(tempfile.gettempdir()) / (
        "lifeline-screenshots"
    )
    folder = Path(root) / part if part else Path(root)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
