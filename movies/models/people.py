"""People and their credits on films."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from movies import limits
from movies.models.base import published_q, unique_slug
from movies.models.genres import prefetch_genres


class PersonQuerySet(models.QuerySet):
    def public(self):
        """People credited on at least one public film: the others have no page yet."""
        return self.filter(pk__in=Credit.objects.filter(published_q("movie__")).values("person_id"))


class Person(models.Model):
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=220, unique=True)
    photo = models.ImageField(
        upload_to="people/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text=f"JPEG, PNG or WebP, {limits.UPLOAD_LIMIT_TEXT}. Re-encoded on save.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_thumb = models.ImageField(upload_to="people/thumbs/", blank=True, editable=False)
    birth_date = models.DateField(null=True, blank=True)
    birth_place = models.CharField(max_length=200, blank=True, help_text="e.g. Xi'an, China.")
    death_date = models.DateField(null=True, blank=True)
    death_place = models.CharField(max_length=200, blank=True)
    bio = models.TextField(
        "short bio",
        max_length=1200,
        blank=True,
        help_text="Two or three sentences readers see on the person's page: who they are "
        "and what they are known for.",
    )
    external_id = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Identifier in an imported catalogue, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True)
                | Q(death_date__isnull=True)
                | Q(death_date__gte=models.F("birth_date")),
                name="person_death_after_birth",
                violation_error_message="The date of death is before the date of birth.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Person, self.name, exclude_pk=self.pk, max_length=200)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("movies:person", args=[self.slug])


class CreditQuerySet(models.QuerySet):
    def filmography(self, person):
        """A person's credits on public films, newest first, ready for verdict badges."""
        return (
            self.filter(published_q("movie__"), person=person)
            .select_related("movie")
            .prefetch_related(prefetch_genres("movie__"))
            .order_by("-movie__year", "movie__title")
        )


class Credit(models.Model):
    class Role(models.TextChoices):
        CAST = "cast", "Cast"
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"
        PRODUCER = "producer", "Producer"
        COMPOSER = "composer", "Composer"

    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=Role, default=Role.CAST)
    character_name = models.CharField(max_length=200, blank=True)
    billing_order = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="1 for the lead. Cast billed at 1 are leads, the rest supporting. "
        "Empty when the billing is unknown.",
    )

    objects = CreditQuerySet.as_manager()

    class Meta:
        ordering = ["role", "billing_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "person", "role"],
                name="credit_unique_person_role",
                violation_error_message="This person already has this role on this film.",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()} – {self.movie}"
