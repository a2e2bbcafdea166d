"""The inbox pages (/inbox/)."""

from django.urls import path

from . import inbox_views

app_name = "core"

urlpatterns = [
    path("", inbox_views.inbox, name="inbox"),
    path("all-read/", inbox_views.mark_all_read, name="inbox_mark_all_read"),
    path("settings/", inbox_views.preferences, name="notification_preferences"),
    path("<int:pk>/", inbox_views.open_notification, name="inbox_open"),
    path("<int:pk>/read/", inbox_views.mark_read, name="inbox_mark_read"),
]
