from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from members import views as member_views

api_v1 = [
    path("", include("members.api_urls")),
    path("", include("volunteering.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("evaluations.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("volunteering/", include("volunteering.urls")),
    path("cases/", include("cases.urls")),
    path("accounts/login/", member_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", member_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", member_views.PasswordChangeView.as_view(), name="password_change"),
    path("", member_views.home, name="home"),
    path("", include("members.urls")),
]
