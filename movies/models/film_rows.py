"""Rows that belong to one film: regional grosses, the parents' guide, its precomputed
"more like this" neighbours."""

from django.db import models
from django.db.models import Q


class RegionalGross(models.Model):
    movie = models.ForeignKey(
        "movies.Movie", on_delete=models.CASCADE, related_name="regional_grosses"
    )
    region = models.CharField(max_length=80, help_text="e.g. China, North America.")
    amount = models.PositiveBigIntegerField(help_text="In the film's box-office currency.")
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "regional gross"
        ordering = ["-amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "region"],
                name="regional_gross_unique_region",
                violation_error_message="This region is already listed.",
            ),
        ]

    def __str__(self):
        return f"{self.region}: {self.amount}"


class SimilarFilm(models.Model):
    """A precomputed "more like this" neighbour of a film (movies.similar computes them).

    Rebuilt for a film whenever an editor saves it (movies.services.movie_save) and for
    the whole catalogue by `manage.py rebuild_similar_films`, so a verdict page reads its
    shelf with one indexed query however large the catalogue grows. Pages still filter
    on the neighbour being public: a film drafted since the last rebuild never shows.
    """

    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="neighbours")
    similar = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="+")
    affinity = models.FloatField(help_text="How alike the two films are; higher is closer.")

    class Meta:
        verbose_name = "similar film"
        ordering = ["movie", "-affinity"]
        constraints = [
            models.UniqueConstraint(fields=["movie", "similar"], name="similar_film_unique_pair"),
            models.CheckConstraint(
                condition=~Q(movie=models.F("similar")), name="similar_film_not_itself"
            ),
        ]
        indexes = [models.Index(fields=["movie", "-affinity"], name="similar_film_rank")]

    def __str__(self):
        return f"{self.movie} ~ {self.similar}"


class ContentAdvisory(models.Model):
    """The parents' guide: how much of one kind of content a film holds, with a note."""

    class Category(models.TextChoices):
        VIOLENCE = "violence", "Violence"
        LANGUAGE = "language", "Language"
        SEX = "sex", "Sex and nudity"
        FRIGHTENING = "frightening", "Frightening scenes"
        SUBSTANCES = "substances", "Alcohol, drugs and smoking"

    class Severity(models.IntegerChoices):
        NONE = 0, "None"
        MILD = 1, "Mild"
        MODERATE = 2, "Moderate"
        SEVERE = 3, "Severe"

    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="advisories")
    category = models.CharField(max_length=12, choices=Category)
    severity = models.PositiveSmallIntegerField(choices=Severity)
    note = models.CharField(
        max_length=160,
        blank=True,
        help_text="One line parents can act on, e.g. “a brief, bloody fight in the last reel”.",
    )

    class Meta:
        verbose_name = "content advisory"
        verbose_name_plural = "parents' guide"
        ordering = ["movie", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "category"],
                name="advisory_once_per_category",
                violation_error_message="This film already has an advisory of this kind.",
            ),
            models.CheckConstraint(
                condition=Q(severity__gte=0, severity__lte=3), name="advisory_severity_range"
            ),
        ]

    def __str__(self):
        return f"{self.movie}: {self.get_category_display()} {self.get_severity_display()}"
