from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    # The one-time link (agencies: "Kirim tautan kata sandi"); Django's view checks the token.
    path("atur-ulang/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
]
