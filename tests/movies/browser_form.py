"""What a browser would post back from a page's form, read from the page's HTML."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def form_data(response, form_id, **changes):
    """The fields of form `form_id` in `response` as a browser would post them, with
    `changes` applied (a value, or a list for a multiple choice)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
    data.update(changes)
    return data
