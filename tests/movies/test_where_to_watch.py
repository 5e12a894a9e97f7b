"""Where to watch, complete: logos with their size, the kind, price and the date checked."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from movies.models import Availability
from tests.factories import AvailabilityFactory, MovieFactory, ProviderFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_offers_show_logo_kind_price_and_when_checked(client):
    film = MovieFactory()
    logo = SimpleUploadedFile("mubi.png", PNG, content_type="image/png")
    mubi = ProviderFactory(name="MUBI", logo=logo)
    AvailabilityFactory(
        movie=film,
        provider=mubi,
        country="GB",
        kind=Availability.Kind.STREAM,
        last_checked=datetime.date(2026, 11, 2),
    )
    AvailabilityFactory(
        movie=film,
        provider=ProviderFactory(name="Apple TV"),
        country="GB",
        kind=Availability.Kind.RENT,
        price=Decimal("3.49"),
        price_currency="GBP",
    )
    html = client.get(film.get_absolute_url() + "?country=GB").content.decode()
    block = html.split('id="where-to-watch"')[1].split("</section>")[0]
    assert "<h3>Subscription</h3>" in block and "<h3>Rent</h3>" in block
    assert 'class="offer__logo" src="/media/providers/mubi' in block
    assert 'width="32" height="32"' in block
    assert '<span class="offer__price">3.49 GBP</span>' in block
    assert 'checked <time datetime="2026-11-02">2 Nov 2026</time>' in block
