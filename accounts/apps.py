from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from allauth.account.signals import email_confirmed

        from accounts.receivers import count_ratings_on_confirmation

        email_confirmed.connect(count_ratings_on_confirmation, dispatch_uid="accounts-ratings")
