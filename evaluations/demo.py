"""The demo town's evaluations (registered from EvaluationsConfig.ready())."""

from .demo_appraisal import seed_appraisal


def seed(*, town, rng, today) -> dict:
    counts = {}
    counts.update(seed_appraisal(town=town, rng=rng, today=today))
    return counts
