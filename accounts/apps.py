from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from allauth.account.signals import email_confirmed
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from accounts import receivers

        email_confirmed.connect(
            receivers.count_ratings_on_confirmation, dispatch_uid="accounts-ratings"
        )
        user = get_user_model()
        pre_save.connect(receivers.remember_shown_fields, sender=user, dispatch_uid="shown")
        post_save.connect(receivers.account_shown_changed, sender=user, dispatch_uid="shown")
