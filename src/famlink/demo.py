"""The demo harness: make a synthetic world, then run every role of the study on it.

This module may import the generator (it *makes* the world) but hands the pipeline only the files a
real council or department would have; no pipeline step reads `truth/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from famlink.agreement.render import render_notice
from famlink.console import err_console, progress
from famlink.study.layout import StudyLayout
from famlink.study.run import StudySettings, StudySummary, run_study
from famlink.synth.config import SynthConfig
from famlink.synth.summary import summarise_world
from famlink.synth.world import generate_world


@dataclass
class DemoResult:
    """What the demo made and where, for the closing summary."""

    world: Path
    world_summary: str
    study: StudySummary | None = None
    closing_lines: list[str] = field(default_factory=list)


def _world_matches(world: Path, config: SynthConfig) -> bool:
    info = world / "world.json"
    if not info.is_file():
        return False
    params = json.loads(info.read_text(encoding="utf-8")).get("parameters", {})
    wanted = {"families": config.families, "councils": config.councils, "seed": config.seed}
    return all(params.get(k) == v for k, v in wanted.items())


def ensure_world(out: Path, *, families: int, councils: int, seed: int) -> Path:
    """Generate the world under `out/world` unless an identical one is already there."""
    world = out / "world"
    config = SynthConfig(families=families, councils=councils, seed=seed).validate()
    if _world_matches(world, config):
        err_console.print(f"reusing the synthetic world in {world}")
        return world
    with progress() as bar:
        task = bar.add_task("generating the synthetic world", total=councils)
        generate_world(
            config, world, overwrite=True, on_council=lambda done, _total: bar.update(task, completed=done)
        )
    return world


def write_privacy_notice(study_root: Path) -> Path:
    """Render the notice from the agreement the study ran under, so it shows what the code enforces."""
    layout = StudyLayout(study_root)
    target = layout.outputs / "privacy-notice.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_notice(layout.agreement()), encoding="utf-8")
    return target


def run_demo(out: Path, *, families: int, councils: int, seed: int) -> DemoResult:
    """Run the demo: the world, then every role of the study on it (re-runs reuse finished work)."""
    world = ensure_world(out, families=families, councils=councils, seed=seed)
    result = DemoResult(world=world, world_summary=summarise_world(world))
    settings = StudySettings(operator="famlink-demo", cycle="demo-cycle-1")
    result.study = run_study(world, out / "study", settings, step=lambda text: err_console.print(f"› {text}"))
    result.closing_lines.append(f"synthetic world: {world}")
    result.closing_lines.append(f"study stores and agreement: {out / 'study'}")
    notice = write_privacy_notice(out / "study")
    result.closing_lines.append(f"the privacy notice families are given (from the agreement): {notice}")
    if result.study.outputs is not None:
        result.closing_lines.append(f"the report: {result.study.outputs.report_html}")
    return result
