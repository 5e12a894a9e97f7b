from django.conf import settings


def site(request):
    """Site-wide names for templates."""
    return {"SITE_NAME": settings.SITE_NAME, "CONTACT_EMAIL": settings.CONTACT_EMAIL}
