from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    # posts and claims
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_edit, name="post_new"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/claim/", views.post_claim, name="post_claim"),
    path("team/join/", views.team_join, name="team_join"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/<str:decision>/", views.claim_decide, name="claim_decide"),
    # items, sign-ups, check-in
    path("items/", views.items, name="items"),
    path("items/new/", views.item_edit, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/cancel/", views.item_cancel, name="item_cancel"),
    path("items/<int:pk>/signup/", views.item_signup, name="item_signup"),
    path("items/<int:pk>/qr/", views.item_qr, name="item_qr"),
    path("items/<int:pk>/qr/rotate/", views.item_rotate_code, name="item_rotate_code"),
    path("items/<int:pk>/attendance/", views.item_attendance, name="item_attendance"),
    path("items/<int:pk>/calendar.ics", views.item_ics, name="item_ics"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("checkin/", views.checkin_code, name="checkin_code"),
    path("checkin/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path("me/", views.my_items, name="my_items"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # hours
    path("records/", views.records, name="records"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/<int:pk>/<str:decision>/", views.record_decide, name="record_decide"),
    # the yearly requirement and the ledger
    path("requirement/", views.requirement, name="requirement"),
    path("policy/", views.policy, name="policy"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("ledger/<int:person_id>/", views.ledger, name="ledger"),
    path("ledger/<int:person_id>/notes/", views.conduct_note_new, name="conduct_note_new"),
    # featured programmes
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/pairings/", views.pairing_new, name="pairing_new"),
    path("programmes/<int:pk>/goods/", views.good_new, name="good_new"),
    path("programmes/<int:pk>/skills/", views.skill_new, name="skill_new"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("goods/<int:pk>/hand-out/", views.good_hand_out, name="good_hand_out"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:pk>/withdraw/", views.skill_withdraw, name="skill_withdraw"),
]
