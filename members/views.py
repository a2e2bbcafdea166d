"""Server-rendered pages of the members app. (Placeholder bodies; the pages are built out in views.)"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = "/"


@login_required
def home(request):
    return render(request, "members/home.html")


@login_required
def roster(request):
    return render(request, "members/home.html")


registrations = officers = zones = my_registration = roster
