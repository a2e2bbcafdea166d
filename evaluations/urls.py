from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    # appraisal
    path("appraisals/", views.appraisal_list, name="appraisals"),
    path("appraisals/<int:pk>/", views.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/<str:action>/", views.appraisal_action, name="appraisal_action"),
    path("evaluators/<int:pk>/link/", views.evaluator_link, name="evaluator_link"),
    path("evaluators/<int:pk>/paper/", views.paper_ballot, name="paper_ballot"),
    path("ballot/", views.ballot, name="ballot"),
    path("officer-reviews/", views.officer_reviews, name="officer_reviews"),
]
