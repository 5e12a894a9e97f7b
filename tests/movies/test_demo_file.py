"""The demo data file (movies/fixtures/demo_films.toml) as an editor meets it: a mistake in
it is one clear line naming the file and the film, and nothing is written."""

import pytest
from django.core.management import CommandError, call_command

from movies import demo
from movies.models import Movie

pytestmark = pytest.mark.django_db


def test_a_misspelt_key_is_named_with_its_film(demo_file):
    demo_file("runtime_minutes = 104", "runtime_minute = 104")
    with pytest.raises(CommandError) as error:
        call_command("load_demo")
    assert str(error.value) == ("demo_films.toml, film 1 (One Second): unknown key runtime_minute")
    assert not Movie.objects.exists()


def test_a_toml_syntax_error_names_the_file_and_line(demo_file):
    demo_file('title = "Parasite"', 'title = "Parasite')
    with pytest.raises(CommandError, match=r"demo_films\.toml: .* \(at line \d+, column \d+\)"):
        call_command("load_demo")
    assert not Movie.objects.exists()


def test_a_value_the_database_refuses_names_the_film(demo_file):
    demo_file('accuracy_label = "dramatized"', 'accuracy_label = "dramatised"')
    with pytest.raises(CommandError, match="demo_films.toml, One Second: .*dramatised"):
        call_command("load_demo")
    assert not Movie.objects.exists()


def test_prose_joins_wrapped_lines_and_keeps_paragraphs():
    text = "\nThe first line\nand its continuation.\n\n  A second paragraph.\n"
    assert demo.prose(text) == "The first line and its continuation.\n\nA second paragraph."


def test_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("load_demo")
    assert not Movie.objects.exists()


def test_an_offer_from_an_unknown_provider_is_named(demo_file):
    demo_file(
        '{ provider = "apple-tv", country = "CA", kind = "buy" },',
        '{ provider = "apple-tvv", country = "CA", kind = "buy" },',
    )
    with pytest.raises(CommandError, match="film 1 \\(One Second\\): no provider 'apple-tvv'"):
        call_command("load_demo")
