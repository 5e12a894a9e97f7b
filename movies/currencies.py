"""The currency an offer's price is in when the editor leaves it blank: the country's own.

A pure lookup (ISO 3166-1 country code -> ISO 4217 currency code), used by
Availability.save() and the offers table's placeholders. Countries not listed give "",
and the editor types the code.
"""

#: The euro area (and the countries that use the euro without being members).
# fmt: off
EURO = [
    "AD", "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT",
    "LT", "LU", "LV", "MC", "ME", "MT", "NL", "PT", "SI", "SK", "SM", "VA", "XK",
]
# fmt: on

COUNTRY_CURRENCIES = {
    **dict.fromkeys(EURO, "EUR"),
    "AE": "AED",
    "AR": "ARS",
    "AU": "AUD",
    "BG": "BGN",
    "BR": "BRL",
    "CA": "CAD",
    "CH": "CHF",
    "CL": "CLP",
    "CN": "CNY",
    "CO": "COP",
    "CZ": "CZK",
    "DK": "DKK",
    "EG": "EGP",
    "GB": "GBP",
    "HK": "HKD",
    "HU": "HUF",
    "ID": "IDR",
    "IL": "ILS",
    "IN": "INR",
    "IS": "ISK",
    "JP": "JPY",
    "KR": "KRW",
    "LI": "CHF",
    "MX": "MXN",
    "MY": "MYR",
    "NG": "NGN",
    "NO": "NOK",
    "NZ": "NZD",
    "PE": "PEN",
    "PH": "PHP",
    "PL": "PLN",
    "RO": "RON",
    "RS": "RSD",
    "SA": "SAR",
    "SE": "SEK",
    "SG": "SGD",
    "TH": "THB",
    "TR": "TRY",
    "TW": "TWD",
    "UA": "UAH",
    "US": "USD",
    "VN": "VND",
    "ZA": "ZAR",
}


def currency_for_country(country) -> str:
    """ "GBP" for "GB", "EUR" for "FR", "" for a country not listed (or none)."""
    return COUNTRY_CURRENCIES.get(str(country or "").upper(), "")
