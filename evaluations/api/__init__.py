from .appraisal import (
    AppraisalViewSet,
    CommendationViewSet,
    EvaluatorViewSet,
    OfficerReviewViewSet,
    PublicBallotViewSet,
)

__all__ = [
    "AppraisalViewSet",
    "CommendationViewSet",
    "EvaluatorViewSet",
    "OfficerReviewViewSet",
    "PublicBallotViewSet",
]
