from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("registrations/", views.registrations, name="registrations"),
    path("officers/", views.officers, name="officers"),
    path("zones/", views.zones, name="zones"),
    path("me/registration/", views.my_registration, name="my_registration"),
]
