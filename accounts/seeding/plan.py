"""What seed_scale writes: how much (Plan), how seeded rows are marked, and the words
synthetic titles, names and reviews are made of."""

from dataclasses import dataclass

SEED_MARK = "seed-"
READER_PREFIX = "seed-reader-"
#: The very popular films: this many, each reviewed by up to POPULAR_REVIEWS readers.
POPULAR_FILMS = 5
POPULAR_REVIEWS = 12_000
READERS_PER_REVIEW = 5  # about one account per five reviews
WRITTEN_SHARE = 0.4  # the rest are ratings without text

GENRES = [
    "Drama", "Comedy", "Thriller", "Action", "Romance", "Horror", "Documentary",
    "Science Fiction", "Crime", "Adventure", "Animation", "Family", "Fantasy", "Mystery",
    "War", "History", "Music", "Western",
]  # fmt: skip
TITLE_HEADS = [
    "The", "The", "The", "A", "Last", "Silent", "Broken", "Red", "Dark", "Lost", "Golden",
    "Little", "Midnight", "Secret", "Wild", "Cold", "Burning", "Hidden", "Endless", "Bright",
]  # fmt: skip
TITLE_NOUNS = [
    "River", "City", "Summer", "Witness", "Garden", "Road", "Empire", "Winter", "Harbour",
    "Stranger", "Promise", "Kingdom", "Station", "Machine", "Island", "Letter", "Storm",
    "Family", "Game", "Mountain", "Dream", "Shadow", "Frontier", "Hotel", "Godfather",
]  # fmt: skip
TITLE_TAILS = ["", "", "", "", " II", " Returns", " of the North", " in Paris", " Forever"]
FIRST_NAMES = [
    "Anna", "Ben", "Chen", "Dina", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia",
    "Kenji", "Lena", "Marco", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara",
    "Uma", "Victor", "Wen", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Baker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ito", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quinn",
    "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Yilmaz", "Zhang",
]  # fmt: skip
PHRASES = [
    "The performances carry it further than the script deserves.",
    "A slow first hour pays off in a devastating last act.",
    "Beautifully shot, though the story never quite lands.",
    "I laughed more than I expected to.",
    "Worth it for the score alone.",
    "Overlong, but the ending stayed with me for days.",
    "A film I will watch again with friends.",
    "The twist is signposted from the first scene.",
]


@dataclass(frozen=True)
class Plan:
    """How much to seed: `films` films and about `reviews` reviews (fewer only when the
    readers cannot give that many distinct film-reader pairs)."""

    films: int
    reviews: int
    seed: int = 1

    @property
    def readers(self) -> int:
        return max(1, self.reviews // READERS_PER_REVIEW) if self.reviews else 0

    @property
    def people(self) -> int:
        return max(10, self.films // 2)

    @property
    def popular_films(self) -> int:
        return min(POPULAR_FILMS, self.films) if self.reviews else 0

    @property
    def popular_reviews(self) -> int:
        """Reviews of each very popular film."""
        if not self.popular_films:
            return 0
        return min(POPULAR_REVIEWS, self.readers, self.reviews // (2 * self.popular_films))
