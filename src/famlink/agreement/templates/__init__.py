"""Agreement templates shipped with famlink: the demo agreement modelled on the councils' documents."""

from __future__ import annotations

from pathlib import Path

DEMO_AGREEMENT = Path(__file__).with_name("demo-agreement.yaml")
