"""Small helpers for words shown to people (admin messages, command output, filters)."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: plural(1, "film") -> "1 film", plural(3, "film") -> "3 films",
    plural(2, "person", "people") -> "2 people"."""
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {noun}"


def and_join(words) -> str:
    """["a", "b", "c"] -> "a, b and c"; one word alone; none -> ""."""
    words = list(words)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
