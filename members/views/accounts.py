"""Log in, log out, and the password change that clears 须修改初始密码."""

from django.contrib import messages
from django.contrib.auth import views as auth_views

from .. import forms


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改")
        return response
