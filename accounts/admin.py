from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from movies.admin import CataloguePagesMixin


@admin.register(User)
class UserAdmin(CataloguePagesMixin, DjangoUserAdmin):
    """Django's user admin for the project's user model (superusers only: the Editors
    group has no permission on users). A reader's name and whether their account is open
    show beside their reviews on cached pages, so a save moves the page cache on."""
