from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "komar.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from komar.accounts import signals  # noqa: F401
