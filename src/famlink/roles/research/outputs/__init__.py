"""The research role's published outputs: evaluation, disclosure control and the study report.

One entry point, `produce_study_outputs(con, out_dir, *, metadata, rules, seed, bootstrap,
observed_until) -> StudyOutputs`: from the research store's linked dataset to a disclosure-checked
HTML report, its inputs JSON and the output-checking log. See docs/explanation/study-outputs.md.
"""

from famlink.roles.research.outputs.produce import StudyOutputs, produce_study_outputs

__all__ = ["StudyOutputs", "produce_study_outputs"]
