from django.urls import path

from .views import dashboard, officer, people, registration, zone

app_name = "members"

urlpatterns = [
    # roster (花名册)
    path("roster/", people.roster, name="roster"),
    path("roster/new/", people.person_create, name="person_create"),
    path("roster/export.xlsx", people.roster_export, name="roster_export"),
    path("roster/import/", people.roster_import, name="roster_import"),
    path("roster/import/<int:pk>/", people.roster_import_detail, name="roster_import_detail"),
    path("roster/import/<int:pk>/commit/", people.roster_import_commit, name="roster_import_commit"),
    path(
        "roster/import/<int:pk>/problems.xlsx", people.roster_import_problems, name="roster_import_problems"
    ),
    path("roster/<int:pk>/", people.person_detail, name="person_detail"),
    path("roster/<int:pk>/reveal/", people.person_reveal, name="person_reveal"),
    path("roster/<int:pk>/edit/", people.person_edit, name="person_edit"),
    # registration (报到登记), office side
    path("registrations/", registration.registrations, name="registrations"),
    path("registrations/export.xlsx", registration.registrations_xlsx, name="registrations_xlsx"),
    path("registrations/new/", registration.registration_window, name="registration_window"),
    path("registrations/<int:pk>/", registration.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/confirm/", registration.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/return/", registration.registration_return, name="registration_return"),
    path(
        "registrations/<int:pk>/transfer/", registration.registration_transfer, name="registration_transfer"
    ),
    # registration, the member's phone page
    path("me/registration/", registration.my_registration, name="my_registration"),
    path("me/registration/withdraw/", registration.my_registration_withdraw, name="my_registration_withdraw"),
    path("me/registration/move/", registration.my_registration_transfer, name="my_registration_transfer"),
    # information officers (民情信息员)
    path("officers/", officer.officers, name="officers"),
    path("officers/new/", officer.officer_appoint, name="officer_appoint"),
    path("officers/quota/<int:community_pk>/", officer.officer_quota, name="officer_quota"),
    path("officers/<int:pk>/", officer.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/record/", officer.officer_record, name="officer_record"),
    path("officers/<int:pk>/end/", officer.officer_end, name="officer_end"),
    path("officers/<int:pk>/letter.pdf", officer.officer_letter, name="officer_letter"),
    # responsibility zones (党员责任区)
    path("zones/", zone.zones, name="zones"),
    path("zones/new/", zone.zone_create, name="zone_create"),
    path("zones/<int:pk>/", zone.zone_detail, name="zone_detail"),
    path("zones/<int:pk>/edit/", zone.zone_edit, name="zone_edit"),
    path("zones/<int:pk>/assign/", zone.zone_assign, name="zone_assign"),
    path("zones/<int:pk>/unassign/<int:person_pk>/", zone.zone_unassign, name="zone_unassign"),
    # the town supervisor's switch on the home page (管理人员须动态口令)
    path("towns/<int:pk>/second-factor/", dashboard.town_second_factor, name="town_second_factor"),
]
