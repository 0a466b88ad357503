"""What Telegram's HTML parse mode accepts, and the entities Telegram finds in what a reader writes."""

from __future__ import annotations

import html
import re
from typing import Any

# Tags Telegram's HTML mode accepts, and the name each one gives to its entity.
_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_CHARACTER_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_COMMAND_AT_START = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{3,32}")
_PLAIN = re.compile(r"[^<>&]+")


class ParseEntitiesError(ValueError):
    """A text that Telegram's HTML parser would refuse."""


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: in UTF-16 code units."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into visible text and entities, refusing what Telegram refuses.

    Entity offsets and lengths are in UTF-16 code units, as in the Bot API; each entity also
    carries its ``text`` for the convenience of tests.
    """
    text_parts: list[str] = []
    visible_length = 0  # in UTF-16 code units
    open_tags: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    position = 0
    at = lambda i: len(markup[:i].encode("utf-8"))  # noqa: E731 - the byte offset, as Telegram's errors count
    while position < len(markup):
        char = markup[position]
        if char not in "<>&":  # a run of plain text, taken whole
            run = _PLAIN.match(markup, position).group()
            text_parts.append(run)
            visible_length += utf16_length(run)
            position += len(run)
            continue
        if char == "<":
            match = _TAG.match(markup, position)
            if not match:
                raise ParseEntitiesError(f"Unclosed start tag at byte offset {at(position)}")
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not open_tags:
                    raise ParseEntitiesError(f'Unexpected end tag "{name}" at byte offset {at(position)}')
                open_name, start, attributes = open_tags.pop()
                if open_name != name:
                    raise ParseEntitiesError(
                        f'Unmatched end tag at byte offset {at(position)}, expected "</{open_name}>", found "</{name}>"'
                    )
                entity = {"type": _ENTITY_OF_TAG[name], "offset": start, "length": visible_length - start}
                if name == "a":
                    entity["url"] = attributes["href"]
                entities.append(entity)
            else:
                if name not in _ENTITY_OF_TAG:
                    raise ParseEntitiesError(f'Unsupported start tag "{name}" at byte offset {at(position)}')
                attributes = {
                    key.lower(): html.unescape(value.strip("\"'"))
                    for key, value in _ATTRIBUTE.findall(raw_attributes)
                }
                if name == "a" and not attributes.get("href"):
                    raise ParseEntitiesError(f"Can't find href for a link at byte offset {at(position)}")
                if name == "span" and attributes.get("class") != "tg-spoiler":
                    raise ParseEntitiesError(f'Tag "span" must have class "tg-spoiler" at byte offset {at(position)}')
                open_tags.append((name, visible_length, attributes))
            position = match.end()
            continue
        if char == ">":
            raise ParseEntitiesError(f"Character '>' must be escaped at byte offset {at(position)}")
        if char == "&":
            match = _CHARACTER_REFERENCE.match(markup, position)
            if not match:
                raise ParseEntitiesError(f"Character '&' must be escaped at byte offset {at(position)}")
            named, decimal, hexadecimal = match.groups()
            if named:
                decoded = _NAMED_ENTITIES[named]
            else:
                code_point = int(decimal) if decimal else int(hexadecimal, 16)
                if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
                    raise ParseEntitiesError(f"Invalid character reference at byte offset {at(position)}")
                decoded = chr(code_point)
            text_parts.append(decoded)
            visible_length += utf16_length(decoded)
            position = match.end()
            continue
    if open_tags:
        raise ParseEntitiesError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    text = "".join(text_parts)
    encoded = text.encode("utf-16-le")
    for entity in entities:
        start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
        entity["text"] = encoded[start:end].decode("utf-16-le")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return text, entities


def reader_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds to a reader's plain text: a command at the start, and @mentions."""
    entities = []
    command = _COMMAND_AT_START.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command.group())})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {"type": "mention", "offset": utf16_length(text[: mention.start()]), "length": utf16_length(mention.group())}
        )
    return entities
