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
    # employer
    path("sheets/", views.sheets.sheets, name="sheets"),
    path("sheets/town/", views.sheets.town_acknowledgements, name="town_acknowledgements"),
    path("sheets/generate/", views.sheets.generate, name="sheets_generate"),
    path("sheets/generate/town/", views.sheets.generate_town, name="sheets_generate_town"),
    path("sheets/issue-all/", views.sheets.issue_all, name="sheets_issue_all"),
    path("sheets/combined.pdf", views.sheets.combined_pdf, name="sheets_combined_pdf"),
    path("sheets/employer/<int:employer_id>.xlsx", views.sheets.employer_xlsx, name="sheets_employer_xlsx"),
    path("sheets/batches/<int:pk>/", views.sheets.batch_progress, name="sheet_batch"),
    path("sheets/<int:pk>/", views.sheets.sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/pdf/", views.sheets.sheet_download, name="sheet_pdf"),
    path("sheets/<int:pk>/<str:action>/", views.sheets.sheet_action, name="sheet_action"),
    path("inbox/", views.employer.inbox, name="employer_inbox"),
    path("inbox/sheets.xlsx", views.employer.inbox_xlsx, name="employer_inbox_xlsx"),
    path(
        "inbox/commendations/<int:pk>/pdf/",
        views.employer.commendation_download,
        name="commendation_download",
    ),
    path("inbox/sheets/<int:pk>/acknowledge/", views.employer.acknowledge, name="sheet_acknowledge"),
    path("consultations/", views.consultation.consultations, name="consultations"),
    path("consultations/new/", views.consultation.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation.consultation_detail, name="consultation_detail"),
    path(
        "consultations/<int:pk>/withdraw/",
        views.consultation.consultation_withdraw,
        name="consultation_withdraw",
    ),
    path("certificates/", views.certificates.my_certificates, name="my_certificates"),
    path("certificates/<int:pk>/pdf/", views.certificates.certificate_download, name="certificate_download"),
    path("verify/", views.certificates.certificate_verify, name="certificate_verify"),
]
