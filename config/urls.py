from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views
from members import views as member_views

# The admin speaks the product's name, not "Django 管理".
admin.site.site_header = "民情流水线 管理后台"
admin.site.site_title = "民情流水线 管理后台"
admin.site.index_title = "数据管理"

api_v1 = [
    path("", include("members.api_urls")),
    path("", include("volunteering.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("evaluations.api_urls")),
    path("", include("supervision.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a separate file, so the page needs no inline script
    # under our Content-Security-Policy (see CONTENT_SECURITY_POLICY_PATH_OVERRIDES in settings).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("volunteering/", include("volunteering.urls")),
    path("cases/", include("cases.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("inbox/", include("core.urls")),
    path("supervision/", include("supervision.urls")),
    path("accounts/login/", member_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", member_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", member_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/setup/", core_views.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", core_views.otp_verify, name="otp_verify"),
    path("", member_views.home, name="home"),
    path("", include("members.urls")),
]

# Error pages: Chinese, show the request id, never a traceback; JSON under /api/ (core.views).
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
