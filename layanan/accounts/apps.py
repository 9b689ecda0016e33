from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "layanan.accounts"
    verbose_name = "Akun"
