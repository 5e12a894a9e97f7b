"""Usernames that look alike are one name: "еditor" with a Cyrillic "е" is "editor".

skeleton() folds a username to what a reader sees, in the spirit of Unicode's
confusable skeleton (UTS #39): NFKC (full-width and styled letters become plain),
casefold, the look-alike letters below mapped to the Latin one they imitate, accents
dropped, then the few Latin sequences that read as one letter ("rn" as "m"). Sign-up
refuses a name whose skeleton another account has, with the "taken" message
(accounts/adapters.py).

No package on PyPI keeps the Unicode confusables table in a small, maintained form, so
the mapping is kept here: the Cyrillic and Greek letters that are drawn like Latin ones
in common fonts, and the digits that pass for letters. Add to it when a new look-alike
turns up; tests/accounts/test_usernames.py holds the cases.
"""

import unicodedata

LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i",
        "ј": "j", "к": "k", "л": "n", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q",
        "ԝ": "w", "ӏ": "l", "ү": "y", "ь": "b", "ы": "bl", "ц": "u", "ш": "w",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
        "ζ": "z", "ς": "c",
        # Latin look-alikes and digits
        "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʟ": "l", "ꞵ": "b",
        "0": "o", "1": "l", "|": "l",
    }
)  # fmt: skip

SEQUENCES = [("rn", "m"), ("vv", "w"), ("cl", "d")]


def skeleton(username: str) -> str:
    """What `username` looks like, for comparing names (never shown)."""
    text = unicodedata.normalize("NFKC", username).casefold().translate(LOOK_ALIKES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for sequence, letter in SEQUENCES:
        text = text.replace(sequence, letter)
    return text
