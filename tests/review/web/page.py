"""A small reader of the dashboard's HTML for tests: elements by tag and attributes, their text.

The standard library's ``html.parser`` builds the tree, so a test reads what a
browser would parse (an unescaped ``<script>`` in the text would show up here
as an element, which is exactly what the escaping tests look for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)  # Element or str
    parent: Element | None = None

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Element):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag whose attributes include these (``class_`` matches one class name)."""
        out = []
        for e in self.iter():
            if tag and e.tag != tag:
                continue
            ok = True
            for k, v in attrs.items():
                name = k.rstrip("_").replace("_", "-")
                have = e.attrs.get(name)
                if have is None or (v is not True and (v not in have.split() if name == "class" else have != v)):
                    ok = False
                    break
            if ok:
                out.append(e)
        return out

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.at = self.root

    def handle_starttag(self, tag, attrs):
        e = Element(tag, {k: v if v is not None else "" for k, v in attrs}, parent=self.at)
        self.at.children.append(e)
        if tag not in VOID:
            self.at = e

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


def parse(html: str) -> Element:
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root
