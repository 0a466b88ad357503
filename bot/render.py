"""Every word of plain text the console and the command line show: replies, help, refusals, attributions."""

from __future__ import annotations

from collections.abc import Sequence

from .answers import Answer, Passage, Source

HELP = (
    "Ask me a question about the news articles I have, in plain words — for example "
    "“Who denied conducting the first strikes?”. I answer with the sentence that says it and where it "
    "comes from. Ask the next question as you would ask a person (“What else did he say?”, “Why?”); "
    "I say how I read it. Commands: more (next-best answer), context (the paragraph around it), "
    "new (start afresh), sources (the articles), help, quit."
)
STARTED_AFRESH = "Starting afresh: the next question is read on its own."
ASK_HELP = ("Ask a question about the news articles in plain words — for example “Who denied conducting "
            "the first strikes?”. The answer is the sentence that says it and where it comes from.")
GREETING = "newsbot — ask about the news articles loaded ({n} articles). Type help for commands, quit to leave."
ASK_FIRST_FOR_MORE = "Ask a question first; then “more” shows the next-best answer."
ASK_FIRST_FOR_CONTEXT = "Ask a question first; then “context” shows the paragraph around the answer."
NOTHING_SHARED = ("The articles do not answer that: no sentence in them shares its words. "
                  "The sources command lists what they cover.")
NO_MORE = "There are no more matches for that question."
MAYBE_HEADING = "I'm not sure, but this may answer it:"


def reply(answer: Answer) -> str:
    """The whole reply to a question (or to "more"), as `newsbot ask` prints it and the JSON's `reply` holds."""
    if answer.kind == "help":
        return HELP
    if answer.kind == "ask_first":
        return ASK_FIRST_FOR_MORE
    if answer.kind == "unknown_article":
        return f"There is no article with the id “{answer.article}”; the sources command lists them."
    body = NO_MORE if answer.kind == "no_more" else _reply(answer)
    return f"{reading_line(answer)}\n{body}" if answer.read_as and not answer.skip else body


def reading_line(answer: Answer) -> str:
    """How a follow-up was read, so the reader can see it and ask again otherwise."""
    return f"Reading this as: {answer.read_as}"


def _reply(answer: Answer) -> str:
    if answer.kind == "answer":
        lead = "Next best match:\n" if answer.skip else ""
        others = numbered(answer.passages[1:], start=2)
        return lead + plain_passage(answer.passages[0]) + (f"\nOther matches:\n{others}" if others else "")
    if not answer.passages:
        return NOTHING_SHARED
    if answer.confidence == "maybe":
        others = numbered(answer.passages[1:], start=2)
        return (f"{MAYBE_HEADING}\n{plain_passage(answer.passages[0])}"
                + (f"\nOther matches:\n{others}" if others else ""))
    return f"{refusal_heading(answer)}\n{numbered(answer.passages)}"


def unknown_article(article_id: str | None) -> str:
    """The command line's error for `--article ID` (or a line's "article") naming no article."""
    return f"there is no article with the id “{article_id}” (`newsbot sources` lists them)"


def context(paragraph: str, passage: Passage) -> str:
    """The `context` reply: the whole paragraph, then which article and paragraph it is."""
    a = passage.article
    where = ", ".join([f"“{a.title}”", *(x for x in (a.source, a.published) if x), f"paragraph {passage.paragraph}"])
    return f"{paragraph}\n— {where}"


def unreadable_request(problem: object) -> str:
    """The reply to a line of `newsbot ask -` that is not a question."""
    return f"Could not read this line as a question: {problem}"


def refusal_heading(answer: Answer) -> str:
    """The line above the closest matches of a declined answer ("none": the evidence is weak)."""
    lead = "No further match answers that well." if answer.skip else "The articles don't seem to cover that."
    return f"{lead} The closest matches:"


def numbered(passages: Sequence[Passage], start: int = 1) -> str:
    """The other or closest matches, one clipped line each with where it comes from."""
    return "\n".join(f"  {i}. {clip(p.text)} ({where_line(p)})" for i, p in enumerate(passages, start))


def plain_passage(passage: Passage) -> str:
    return f"{passage.text}\n— {attribution_line(passage)}"


def where_line(passage: Passage) -> str:
    """Headline; outlet, date; paragraph — where the passage comes from."""
    article = passage.article
    parts = [f"“{article.title}”"]
    parts += [x for x in (article.source, article.published) if x]
    parts.append(("photo caption" if passage.kind == "caption" else "standfirst" if passage.kind == "standfirst"
                  else f"paragraph {passage.paragraph}"))
    return ", ".join(parts)


def attribution_line(passage: Passage) -> str:
    """One line: where the passage comes from, its link, and who the article says made the claim."""
    line = where_line(passage)
    if passage.article.url:
        line += f" <{passage.article.url}>"
    if passage.speaker:
        line += f"; according to {passage.speaker}"
    if passage.credit:
        line += f"; photo: {passage.credit}"
    return line


def sentence_count(source: Source) -> str:
    return f"({source.sentences} sentences)"


def sources_table(sources: Sequence[Source]) -> str:
    """`newsbot sources`: id, sentence count and headline (outlet, date) of each article."""
    width = max(len(s.id) for s in sources)
    lines = [f"{'ID'.ljust(width)}  SENTENCES  HEADLINE"]
    for s in sources:
        extra = ", ".join(x for x in (s.source, s.published) if x)
        lines.append(f"{s.id.ljust(width)}  {s.sentences:>9}  {s.title}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines)


def clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
