from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("ledger.xlsx", views.case_ledger_xlsx, name="ledger_xlsx"),
    path("overdue/", views.overdue, name="overdue"),
    path("my/", views.my_cases, name="my"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
    path("<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("diary/", views.diary, name="diary"),
    path("diary/<int:pk>/to-case/", views.diary_to_case, name="diary_to_case"),
    path("mailboxes/", views.mailboxes, name="mailboxes"),
    path("mailboxes/<int:pk>/open/", views.mailbox_open, name="mailbox_open"),
    path("receptions/", views.receptions, name="receptions"),
    path("receptions/<int:pk>/", views.reception_detail, name="reception_detail"),
    path("forums/", views.forums, name="forums"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    # Public pages: the only ones open without a login.
    path("public/", views.public_home, name="public_home"),
    path("public/submit/", views.public_submit, name="public_submit"),
    path("public/track/", views.public_track, name="public_track"),
    path("public/case/<int:pk>/", views.public_case, name="public_case"),
    path("public/schedule/", views.public_schedule, name="public_schedule"),
    path("public/disclosure/<slug:code>/", views.public_disclosure, name="public_disclosure"),
]
