"""Rating from the verdict page in one step (reviews.views.RateView)."""

import pytest

from movies.models import Movie
from reviews.models import Review
from tests.factories import MovieFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_verdict_page_has_ten_labelled_radio_buttons_in_a_fieldset(client, reader):
    film = MovieFactory(title="Ran")
    html = client.get(film.get_absolute_url()).content.decode()
    form = html.split('class="rate-form"')[1].split("</form>")[0]
    assert "<fieldset" in form and "<legend>Rate Ran" in form
    assert form.count('type="radio" ') == 10
    for n in range(1, 11):
        assert f'<label for="rate-{n}">{n}<span class="visually-hidden"> out of 10</span>' in form
    assert "csrfmiddlewaretoken" in form


def test_rating_counts_and_comes_back_to_the_page(client, reader):
    film = MovieFactory()
    response = client.post(f"/movies/{film.slug}/rate/", {"rating": "7"})
    assert response.status_code == 302
    assert response["Location"] == film.get_absolute_url() + "#your-review"
    film.refresh_from_db()
    assert (film.rating_count, film.rating_sum) == (1, 7)
    page = client.get(film.get_absolute_url()).content.decode()
    assert "your rating of 7/10 counts" in page
    assert 'id="rate-7" name="rating" value="7" checked' in page


def test_changing_the_rating_keeps_the_written_review(client, reader):
    film = MovieFactory()
    ReviewFactory(movie=film, user=reader, rating=4, headline="Long", body="A" * 200)
    client.post(f"/movies/{film.slug}/rate/", {"rating": "9"})
    review = Review.objects.get(movie=film, user=reader)
    assert (review.rating, review.headline, review.body) == (9, "Long", "A" * 200)
    film.refresh_from_db()
    assert (film.rating_count, film.rating_sum) == (1, 9)


@pytest.mark.parametrize("bad", ["0", "11", "seven", ""])
def test_an_out_of_range_rating_is_refused_with_a_message(client, reader, bad):
    film = MovieFactory()
    response = client.post(f"/movies/{film.slug}/rate/", {"rating": bad}, follow=True)
    assert response.status_code == 200
    assert "Choose a rating from 1 to 10" in response.content.decode()
    assert not Review.objects.exists()


def test_visitors_are_sent_to_log_in_and_drafts_404(client):
    film = MovieFactory()
    response = client.post(f"/movies/{film.slug}/rate/", {"rating": "5"})
    assert response["Location"].startswith("/accounts/login/")
    assert "Log in</a> or" in client.get(film.get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    draft = MovieFactory(status=Movie.Status.DRAFT, published_at=None)
    assert client.post(f"/movies/{draft.slug}/rate/", {"rating": "5"}).status_code == 404
