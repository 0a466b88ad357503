"""Every word a Telegram reader sees, as Telegram HTML: answers, refusals, context, sources, help and apologies."""

from __future__ import annotations

from collections.abc import Sequence

from .. import render as plain
from ..answers import Answer, Context, Passage, Source
from .markup import MAX_MESSAGE_LENGTH, Markup, clip, clip_left, highlighted, utf16_length

MAX_HEADLINE = 300
MAX_NAME = 200  # an outlet, a date, a speaker or a photo credit

GREETING = (
    "Hello! I answer questions about the news articles I have, with the sentence that says it and "
    "where it comes from.\n\n"
    "Just write your question{how}, as you would ask a person: Who said …? How many …? When did …?\n"
    "/sources lists the articles; /help shows everything I understand."
)
HELP = (
    "Ask a question about the news articles in plain words{how}. I reply with the sentence that "
    "answers it, the matched words in bold, and below it the headline, outlet, date, link and who "
    "made the claim. When the articles do not answer, I say so. Ask the next question as you would ask "
    "a person (What else did he say? Why?); I say how I read it.\n\n"
    "/ask question — ask (in groups, or mention me, or reply to one of my messages)\n"
    "/more — the next-best answer to the last question\n"
    "/context — the paragraph around the last answer\n"
    "/new — start afresh: the next question is read on its own\n"
    "/sources — the articles I answer from\n"
    "/about — what I am and how I work\n\n"
    "To search only some articles, put filters before the question: "
    "since:2024-06-01 until:2024-06-30 source:\"Harbour Times\" How many were killed? "
    "(dates as YYYY-MM-DD or an ISO time; any of the three).\n"
    "Ask about the articles too: Who wrote the report about …? When was the article about … published? "
    "Which outlets covered …?"
)
HOW_TO_ASK_IN_GROUPS = " after /ask, or mention me (@{username}), or reply to one of my messages"
ABOUT = (
    "newsbot finds answers by TF-IDF sentence retrieval over {articles} "
    "({sentences}). It never writes answers of its own: every reply is a sentence quoted from "
    "an article, with where it comes from and whom the article says made the claim."
)
COMMANDS = [
    ("start", "How to ask me"),
    ("help", "What I understand"),
    ("ask", "Ask a question: /ask Who said …?"),
    ("sources", "The articles I answer from"),
    ("more", "The next-best answer to the last question"),
    ("context", "The paragraph around the last answer"),
    ("new", "Start afresh: the next question is read on its own"),
    ("about", "What I am and how I work"),
]
SLOW_DOWN = "You are asking faster than I answer ({limit} questions a minute). Please wait a little and ask again."
SOMETHING_WRONG = "Sorry, something went wrong while answering that. Please try again in a moment."
ASK_FIRST = "Ask a question first; then /more shows the next-best answer and /context the paragraph around it."
ASK_AFTER_THE_COMMAND = "Write the question after the command, for example: /ask When did it happen?"
UNKNOWN_COMMAND = "I do not know that command. "
ASK_AFTER_THE_FILTERS = "Write the question after the filters, for example: since:2024-06-01 How many were killed?"
NOT_TEXT = "I can only read questions written as text."
ARTICLE_GONE = "That answer's article has changed or is gone since; please ask again."
MESSAGE_TOO_OLD = "That message is too old; please ask again."  # a button under a message Telegram no longer sends
BUTTON_EXPIRED = "That answer is too old for its buttons; please ask again."  # a button newsbot no longer remembers
NOTHING_SHARED = "The articles do not answer that: no sentence in them shares its words. /sources lists what they cover."
STARTED_AFRESH = "Starting afresh: your next question is read on its own."


def about(sources: Sequence[Source]) -> str:
    return ABOUT.format(articles=plain.counted(len(sources), "article"),
                        sentences=plain.counted(sum(s.sentences for s in sources), "sentence"))


def attribution(passage: Passage) -> Markup:
    """The italic line saying where a passage comes from: headline (linked); outlet, date; place; speaker."""
    article = passage.article
    line = Markup().open("i").text("— “")
    line.link(clip(article.title or article.id, MAX_HEADLINE), article.url).text("”")
    outlet_and_date = ", ".join(clip(x, MAX_NAME) for x in (article.source, plain.shown_date(article.published)) if x)
    if outlet_and_date:
        line.text(f", {outlet_and_date}")
    line.text(f"; {_where(passage)}")
    if passage.speaker:
        line.text(f"; according to {clip(passage.speaker, MAX_NAME)}")
    if passage.credit:
        line.text(f"; photo: {clip(passage.credit, MAX_NAME)}")
    return line.close("i")


def passage_message(passage: Passage, lead: str | None = None, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """A passage (its dates spelt out) with its matched words in bold, its attribution below, then the
    other outlets carrying it and the earlier figures it replaces; within `limit`."""
    head = Markup()
    if lead:
        head.wrapped("i", clip(lead, 400)).text("\n")
    tail = Markup().text("\n").extend(attribution(passage)).extend(story(passage))
    room = limit - head.length - tail.length
    body = highlighted(clip(plain.dated_text(passage), room), passage.matched)
    return str(head.extend(body).extend(tail))


def story(passage: Passage) -> Markup:
    """"Also carried by …" and "Earlier report: …" lines, each outlet with its day."""
    lines = Markup()
    if passage.also_in:
        carried = plain.some_of([clip(plain.outlet_and_day(s), MAX_NAME) for s in passage.also_in], 10, "; ")
        lines.text(f"\nAlso carried by: {carried}")
    for figure, reports in plain.earlier_figures(passage)[:5]:
        outlets = plain.some_of([clip(plain.outlet_and_day(e.article), MAX_NAME) for e in reports], 5, "; ")
        lines.text("\nEarlier report: ").wrapped("b", clip(figure, MAX_NAME)).text(f" — {outlets}")
    if passage.later:
        outlets = plain.some_of([clip(plain.outlet_and_title(e.article), MAX_NAME) for e in passage.later], 5, "; ")
        lines.text("\nA later report gives ").wrapped("b", clip(passage.later[0].figure, MAX_NAME)).text(f": {outlets}")
    return lines


def about_message(answer: Answer, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The reply to a question about the articles themselves, from their front matter."""
    passages = answer.passages
    if passages[0].about == "source":
        message = Markup().wrapped("b", f"{plain.counted(len(passages), 'outlet')} covered it:")
    else:
        message = Markup().wrapped("b", plain.about_fact(passages[0]))
    for p in passages if passages[0].about == "source" else passages[:1]:
        a = p.article
        line = Markup().text("\n• " if p.about == "source" else "\n").open("i")
        if p.about == "source":
            line.text(f"{clip(p.text or '(no outlet given)', MAX_NAME)}: ")
        line.text("“").link(clip(a.title or a.id, MAX_HEADLINE), a.url).text("”")
        details = [clip(x, MAX_NAME) for x in (a.source if p.about != "source" else None, plain.shown_date(a.published)) if x]
        line.text("".join(f", {x}" for x in details) + "; from the article's front matter").close("i")
        if message.length + line.length > limit:
            break
        message.extend(line)
    return str(message)


def answer_message(answer: Answer, help_text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The reply to a question (or to "more"): the answer, the refusal with the closest match, or help."""
    reading = f"Reading this as: {clip(answer.read_as, 300)}" \
        if answer.read_as and not answer.skip and not answer.unresolved else None
    if not answer.passages:
        text = _without_passages(answer, help_text)
        return plain_message(f"{reading}\n{text}" if reading else text, limit)
    best = answer.passages[0]
    if best.about:
        return about_message(answer, limit)
    if answer.answered:
        return passage_message(best, "Next best match:" if answer.skip else reading, limit)
    lead = reading + "\n" if reading else ""
    if answer.confidence == "maybe":
        return passage_message(best, f"{lead}Not sure, but this may answer it:", limit)
    return passage_message(best, f"{lead}{plain.refusal(answer)} The closest match:", limit)


def _without_passages(answer: Answer, help_text: str) -> str:
    if answer.kind == "ask_first":
        return ASK_FIRST
    if answer.kind == "no_more":
        return plain.no_more(answer)
    if answer.kind == "declined":
        if answer.unresolved:
            return plain.unresolved(answer)
        if answer.missed_day:
            return f"{plain.missed_day(answer)} /sources lists what they cover."
        if answer.filters:
            return f"No sentence of the articles {plain.within(answer)} shares its words. /sources lists them all."
        return NOTHING_SHARED
    if answer.kind == "filtered_out":
        return f"No article is {plain.within(answer)}; /sources lists them."
    if answer.kind == "unknown_article":
        return f"There is no article with the id “{answer.article}”; /sources lists them."
    return help_text


def context_message(around: Context, passage: Passage, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The paragraph around an answer (or the paragraphs, when it is one sentence alone), the answer
    itself in bold, trimmed around it when too long."""
    paragraph = around.text
    where = _place(passage) if around.first == around.last or passage.kind != "body" else \
        f"{plain.paragraphs(around)} of “{clip(passage.article.title or passage.article.id, MAX_HEADLINE)}”"
    head = Markup().wrapped("i", f"The paragraph around it ({where}):" if around.first == around.last
                            else f"The paragraphs around it ({where}):").text("\n")
    room = limit - head.length
    start = paragraph.find(passage.text)
    if start < 0:
        return str(head.text(clip(paragraph, room)))
    before, sentence, after = paragraph[:start], passage.text, paragraph[start + len(passage.text):]
    if utf16_length(paragraph) > room:
        sentence = clip(sentence, room)
        spare = max(0, room - utf16_length(sentence))
        after = clip(after, spare // 2) if after else ""
        before = clip_left(before, spare - utf16_length(after))
    return str(head.text(before).wrapped("b", sentence).text(after))


def sources_message(sources: Sequence[Source], limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The articles the bot answers from: headline (linked), outlet, date, id, size; as many as fit."""
    message = Markup().wrapped("b", f"I answer from {plain.counted(len(sources), 'article')}:")
    for shown, source in enumerate(sources):
        line = Markup().text("\n• ").link(clip(source.title or source.id, MAX_HEADLINE), source.url)
        details = [clip(x, MAX_NAME) for x in (source.source, plain.shown_date(source.published)) if x]
        if source.author:
            details.append(f"by {clip(source.author, MAX_NAME)}")
        if source.tags:
            details.append("tags: " + clip(", ".join(source.tags), MAX_NAME))
        details.append(f"{plain.counted(source.sentences, 'sentence')}, id {clip(source.id, MAX_NAME)}")
        line.text(" — " + ", ".join(details))
        rest = f"\n… and {len(sources) - shown} more."
        if message.length + line.length + utf16_length(rest) > limit:
            return str(message.text(rest))
        message.extend(line)
    return str(message)


def plain_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Plain text made safe for HTML parse mode."""
    return str(Markup().text(clip(text, limit)))


def _place(passage: Passage) -> str:
    return f"{_where(passage)} of “{clip(passage.article.title or passage.article.id, MAX_HEADLINE)}”"


def _where(passage: Passage) -> str:
    return {"caption": "photo caption", "standfirst": "standfirst"}.get(passage.kind, f"paragraph {passage.paragraph}")
