"""Reading one line of `newsbot ask -`: plain text, or a JSON object naming the question and its options."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_TOP_K = 50


class BadRequest(Exception):
    """A line that cannot be asked; the message is one sentence naming what is wrong (and the field)."""


@dataclass(frozen=True)
class Request:
    question: str
    article: str | None
    top_k: int
    conversation: str | None = None  # lines with the same key are one conversation's turns (follow-ups)
    filters: dict[str, str] = field(default_factory=dict)  # the line's "since", "until", "source", as given


def read_request(line: str, article: str | None, top_k: int) -> Request:
    """The question a line asks; `article` and `top_k` are the command line's, which a JSON line may override.

    Raises BadRequest for an empty line, a line that opens like JSON but is not, a JSON value that is
    not an object, an object without a "question", and fields of the wrong type or range.
    """
    if not line.strip():
        raise BadRequest("the line is empty; there is no question to answer")
    if not line.lstrip().startswith("{"):
        return Request(line, article, top_k)
    try:
        data = json.loads(line)
    except ValueError as err:
        raise BadRequest(f"not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise BadRequest("JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise BadRequest('a JSON line must be an object like {"question": "..."}')
    if "question" not in data:
        others = ", ".join(f'"{key}"' for key in data)
        raise BadRequest('the "question" field is missing' + (f" (the line has {others})" if others else ""))
    question = data["question"]
    if not isinstance(question, str):
        raise BadRequest("question must be a string")
    if "article" in data:
        article = data["article"]
        if article is not None and not isinstance(article, str):
            raise BadRequest("article must be a string (an article id) or null")
    if "top_k" in data:
        top_k = _whole_number(data["top_k"])
        if not 1 <= top_k <= MAX_TOP_K:
            raise BadRequest(f"top_k must be from 1 to {MAX_TOP_K}")
    conversation = data.get("conversation")
    if conversation is not None and (isinstance(conversation, bool) or not isinstance(conversation, (str, int))):
        raise BadRequest("conversation must be a string or a whole number (the conversation's key)")
    filters = {key: data[key] for key in ("since", "until", "source") if data.get(key) is not None}
    for key, value in filters.items():
        if not isinstance(value, str):
            raise BadRequest(f"{key} must be a string" + (" (YYYY-MM-DD or an ISO time)" if key != "source" else ""))
    return Request(question, article, top_k, None if conversation is None else str(conversation), filters)


def _whole_number(value: object) -> int:
    # 2.0 is a whole number as JSON writes it; true, "2", 2.5 and 1e400 are not.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest("top_k must be a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise BadRequest("top_k must be a whole number")
    return int(value)
