"""Every word of plain text the console and the command line show: replies, help, refusals, attributions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from retrieval import long_form, parse_time, published_day

from .answers import Answer, Context, Passage, Source

HELP = (
    "Ask me a question about the news articles I have, in plain words — “Who said …?”, “How many …?”, "
    "“When did …?”. I answer with the sentence that says it and where it "
    "comes from. Ask the next question as you would ask a person (“What else did he say?”, “Why?”); "
    "I say how I read it. Commands: more (next-best answer), context (the paragraph around it), "
    "new (start afresh), sources (the articles), help, quit."
)
STARTED_AFRESH = "Starting afresh: the next question is read on its own."
ASK_HELP = ("Ask a question about the news articles in plain words — “Who said …?”, “How many …?”, "
            "“When did …?”. The answer is the sentence that says it and where it comes from.")


def newest_article(source: Source | None, sources_command: str = "sources") -> str:
    """What the articles hold, for the help: the newest one's headline, outlet and day."""
    if source is None:
        return ""
    return f"The newest article: “{clip(source.title, MAX_HEADLINE)}”{_of(source)}. The {sources_command} command lists them all."


def _of(source: Source) -> str:
    known = outlet_and_day(source) if source.source or source.published else ""
    return f" ({clip(known, MAX_NAME)})" if known else ""


def shown_date(published: str | None) -> str | None:
    """An article's `published` as a reader reads it: a day as written (2024-05-14); a time to the minute,
    its offset as UTC or +02:00 ("2024-05-14 10:00 UTC"), not the ISO form the feed gave
    ("2024-05-14T10:00:00+00:00"). Anything else as it is."""
    if not published or len(published.strip()) <= 10:
        return published
    try:
        moment = parse_time(published)
    except ValueError:
        return published
    offset = moment.utcoffset()
    zone = "UTC" if not offset else moment.strftime("%z")
    zone = zone if zone == "UTC" else f"{zone[:3]}:{zone[3:]}"
    return f"{moment:%Y-%m-%d %H:%M} {zone}"


def greeting(articles: int) -> str:
    """The console's first line: how many articles it answers from ("1 article", "2,225 articles")."""
    return f"newsbot — ask about the news articles loaded ({counted(articles, 'article')}). Type help for commands, quit to leave."


def reloaded(articles: int) -> str:
    """The console's note that the articles folder changed and was read again."""
    return f"(The articles changed: now answering from {counted(articles, 'article')}.)"


def not_reloaded(problem: object) -> str:
    return f"(The articles folder could not be read again: {problem}. Still answering from the articles loaded before.)"


ASK_FIRST_FOR_MORE = "Ask a question first; then “more” shows the next-best answer."
NO_PARAGRAPH = "That answer comes from the article's details (its byline, date or outlet), not from a paragraph."
CONTEXT_GONE = "That answer's article has changed or is gone since; ask again for its paragraph."
ASK_FIRST_FOR_CONTEXT = "Ask a question first; then “context” shows the paragraph around the answer."
NOTHING_SHARED = ("The articles do not answer that: no sentence in them shares its words. "
                  "The sources command lists what they cover.")
NO_MORE = "There are no more matches for that question."
NOTHING_ELSE = "Nothing else: what the articles hold on that was shown above."


def no_more(answer: Answer) -> str:
    """"more" past the last match; or an "else" question whose matches were all shown already."""
    reading = answer.reading
    return NOTHING_ELSE if reading is not None and reading.exclude and not answer.skip else NO_MORE
_FULL_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DAY_AND_MONTH = re.compile(r"\d\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                            r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d", re.IGNORECASE)
# Metadata is clipped where it is shown: an article's headline may be any length (a 10 MB one has been seen).
MAX_HEADLINE, MAX_NAME, MAX_URL = 300, 200, 2000
MAX_ANSWER = 1500  # an answer's sentence shown (a "sentence" of a file that is one long line may be 5,000)

# What a terminal would act on rather than show: C0 controls but newline and tab, DEL, C1 controls
# (U+009B is a whole CSI), and the bidirectional overrides that reorder what is shown.
# Lone surrogates (from a JSON line's "\\ud800") cannot be written as UTF-8 at all.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: str, keep: Iterable[str] = ()) -> str:
    """`text` with every control character shown as an escape (ESC as \\x1b), so that no file name, article
    or question can move the cursor, retitle the window or hide text; the sequences in `keep` (an
    adapter's own colours) are left as they are."""
    keep = [k for k in keep if k]
    if not keep:
        return _UNSAFE.sub(_escaped, text)
    parts = re.split("(" + "|".join(map(re.escape, keep)) + ")", text)
    return "".join(part if i % 2 else _UNSAFE.sub(_escaped, part) for i, part in enumerate(parts))


def json_safe(line: str) -> str:
    """A JSON text (json.dumps with ensure_ascii=False) with the characters `terminal_safe` escapes written
    as JSON's own \\u escapes: the same data to a JSON reader, nothing a terminal acts on."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

MAYBE_HEADING = "I'm not sure, but this may answer it:"


def reply(answer: Answer) -> str:
    """The whole reply to a question (or to "more"), as `newsbot ask` prints it and the JSON's `reply` holds."""
    if answer.kind == "help":
        return HELP
    if answer.kind == "ask_first":
        return ASK_FIRST_FOR_MORE
    if answer.kind == "started_afresh":
        return STARTED_AFRESH
    if answer.kind == "unknown_article":
        return f"There is no article with the id “{answer.article}”; the sources command lists them."
    body = no_more(answer) if answer.kind == "no_more" else _reply(answer)
    return f"{reading_line(answer)}\n{body}" if answer.read_as and not answer.skip and not answer.unresolved else body


def reading_line(answer: Answer) -> str:
    """How a follow-up was read, so the reader can see it and ask again otherwise."""
    return f"Reading this as: {answer.read_as}"


def _reply(answer: Answer) -> str:
    if answer.kind == "filtered_out":
        return f"No article is {within(answer)}; the sources command lists them."
    if answer.passages and answer.passages[0].about:
        return about_reply(answer)
    if answer.kind == "answer":
        lead = "Next best match:\n" if answer.skip else ""
        others = numbered(answer.passages[1:], start=2)
        return lead + plain_passage(answer.passages[0]) + (f"\nOther matches:\n{others}" if others else "")
    if not answer.passages:
        if answer.unresolved:
            return unresolved(answer)
        if answer.missed_day:
            return f"{missed_day(answer)} The sources command lists what they cover."
        if answer.filters:  # the articles the filters leave out may hold it: say which were searched
            return f"No sentence of the articles {within(answer)} shares its words. The sources command lists them all."
        return NOTHING_SHARED
    if answer.confidence == "maybe":
        others = numbered(answer.passages[1:], start=2)
        return (f"{MAYBE_HEADING}\n{plain_passage(answer.passages[0])}"
                + (f"\nOther matches:\n{others}" if others else ""))
    return f"{refusal_heading(answer)}\n{numbered(answer.passages)}"


def unknown_article(article_id: str | None) -> str:
    """The command line's error for `--article ID` (or a line's "article") naming no article."""
    return f"there is no article with the id “{article_id}” (`newsbot sources` lists them)"


def context(around: Context, passage: Passage) -> str:
    """The `context` reply: the whole paragraph (or paragraphs), then which article and paragraph it is."""
    a = passage.article
    where = ", ".join([f"“{clip(a.title, MAX_HEADLINE)}”", *(clip(x, MAX_NAME) for x in (a.source, shown_date(a.published)) if x),
                       paragraphs(around)])
    return f"{around.text}\n— {where}"


def paragraphs(around: Context) -> str:
    """"paragraph 3", or "paragraphs 2–4" when the answer's paragraph came with the ones either side."""
    return f"paragraph {around.first}" if around.first == around.last else f"paragraphs {around.first}–{around.last}"


def unreadable_request(problem: object) -> str:
    """The reply to a line of `newsbot ask -` that is not a question."""
    return f"Could not read this line as a question: {problem}"


def refusal_heading(answer: Answer) -> str:
    """The line above the closest matches of a declined answer ("none": the evidence is weak)."""
    return f"{refusal(answer)} The closest matches:"


CLOSE_CALL = "Not sure which story this is about: more than one matches it about as well."


def refusal(answer: Answer) -> str:
    """Why a declined answer ("none") is declined, in a sentence."""
    if answer.missed_day is not None:
        return missed_day(answer)
    if answer.skip:
        return "No further match answers that well."
    return CLOSE_CALL if answer.close_call else "The articles don't seem to cover that."


def unresolved(answer: Answer) -> str:
    """A question leaning on an earlier one that is not there ("What else did she say?" first)."""
    who = "what" if answer.unresolved.lower() in ("it", "its", "this", "that") else "who"
    why = "no earlier question says" if answer.reading is None else "the last answer names no one it could be"
    return f"I don't know {who} “{answer.unresolved}” is here: {why}. Ask again with the name."


def missed_day(answer: Answer) -> str:
    """Why a question naming a day is not answered: no sentence about that day answers it."""
    return f"Nothing in the articles about {long_form(answer.missed_day)} answers that."


def numbered(passages: Sequence[Passage], start: int = 1) -> str:
    """The other or closest matches, one clipped line each with where it comes from."""
    return "\n".join(f"  {i}. {clip(dated_text(p))} ({where_line(p)}{also_in_note(p)})"
                     for i, p in enumerate(passages, start))


def also_in_note(passage: Passage) -> str:
    """"; also in: The Daily Planet" for a clipped line, or nothing."""
    if not passage.also_in:
        return ""
    return "; also in: " + some_of([s.source or f"“{s.title}”" for s in passage.also_in], 3, ", ")


def some_of(names: Sequence[str], most: int, sep: str) -> str:
    """The distinct names in their order, at most `most` of them, then how many other articles there
    are: a story carried by 40 outlets is a line, not a page."""
    shown, seen = [], set()
    for name in names:
        if name not in seen and len(shown) < most:
            seen.add(name)
            shown.append(name)
    rest = len(names) - sum(1 for name in names if name in seen)
    more = f" and {rest} other{'s' if rest > 1 else ''}" if rest else ""
    return sep.join(shown) + more


def plain_passage(passage: Passage) -> str:
    """The answer sentence (its dates spelt out), where it comes from, the other outlets carrying it,
    and the earlier figures it replaces."""
    return "\n".join([clip(dated_text(passage), MAX_ANSWER), f"— {attribution_line(passage)}", *story_lines(passage)])


def story_lines(passage: Passage) -> list[str]:
    """"also in: …" (the other outlets carrying the sentence) and "Earlier: …" (the figures it replaces)."""
    lines = []
    if passage.also_in:
        lines.append("also in: " + some_of([outlet_and_title(s) for s in passage.also_in], 5, "; "))
    for figure, reports in earlier_figures(passage):
        lines.append(f"Earlier: {figure} — " + some_of([outlet_and_day(e.article) for e in reports], 5, "; "))
    if passage.later:
        lines.append(f"A later report gives {passage.later[0].figure}: "
                     + some_of([outlet_and_title(e.article) for e in passage.later], 5, "; "))
    return lines


def earlier_figures(passage: Passage) -> list[tuple[str, list]]:
    """The earlier figures a passage replaces, each figure once (as the latest report of it words it) with the
    reports that gave it: two outlets' "At least four" are one line naming both, and so are "some 300"
    and "about 300"."""
    grouped: dict[object, tuple[str, list]] = {}
    for e in passage.earlier:
        key = e.value if e.value is not None else " ".join(e.figure.casefold().split())
        grouped.setdefault(key, (e.figure, []))[1].append(e)
    return list(grouped.values())


def dated_text(passage: Passage) -> str:
    """The passage's text with the day each date expression names after it: "on Sunday (16 June 2024)"."""
    text = passage.text
    for d in sorted(passage.dates, key=lambda d: d.start, reverse=True):
        if d.last is not None:
            same_month = d.day.month == d.last.month
            days = (f"{d.day.day}–{long_form(d.last)}" if same_month else f"{long_form(d.day)} – {long_form(d.last)}")
        else:
            days = long_form(d.day)
        if _FULL_DATE.search(d.text):
            continue  # already a full date as written ("on 16 June 2024")
        if d.last is None and _DAY_AND_MONTH.search(d.text):
            days = str(d.day.year)  # "on 4 April (2025)", not "on 4 April (4 April 2025)"
        end = d.end + (2 if text[d.end:d.end + 2] in ("'s", "’s") else 0)  # "last week's (3–9 March 2025) flood"
        text = f"{text[:end]} ({days}){text[end:]}"
    return text


def outlet_and_day(source: Source) -> str:
    """Northwire, 17 June 2024 (what is known of them)."""
    day = published_day(source.published)
    when = long_form(day) if day else source.published
    return ", ".join(x for x in (source.source or f"“{source.title}”", when) if x)


def outlet_and_title(source: Source) -> str:
    """Northwire, 17 June 2024 (“Ferry sinks”); an article of no known outlet is named by its headline once."""
    where = outlet_and_day(source)
    return f"{where} (“{source.title}”)" if source.source else where


def within(answer: Answer) -> str:
    """The filters an answer was searched within, in words: "from Harbour Times, since 2024-06-01"."""
    words = {"since": "published since", "until": "published until", "source": "from"}
    given = answer.filters.written if answer.filters else ()
    return ", ".join(f"{words[key]} {value}" for key, value in given) or "within the filters"


def about_reply(answer: Answer) -> str:
    """The reply to a question about the articles themselves (who wrote, when published, which outlets)."""
    passages = answer.passages
    asks = passages[0].about
    if asks == "source":
        names = [p.text or f"“{p.article.title}” (no outlet given)" for p in passages]
        lead = f"{counted(len(names), 'outlet')} covered it: {', '.join(names)}."
        return lead + "\n" + "\n".join(f"  {i}. {about_where(p)}" for i, p in enumerate(passages, 1))
    first, rest = passages[0], passages[1:]
    out = f"{about_fact(first)}\n— {about_where(first)}"
    if rest:
        out += "\nOther articles about it:\n" + "\n".join(f"  {i}. {about_fact(p)} ({about_where(p)})"
                                                        for i, p in enumerate(rest, 2))
    return ("Next best match:\n" if answer.skip else "") + out


def about_fact(passage: Passage) -> str:
    """What the front matter says: "Written by Ines Calloway.", "Published 17 June 2024."."""
    if passage.about == "author":
        return f"Written by {passage.text}." if passage.text else "The article does not name its author."
    if passage.about == "published":
        day = published_day(passage.text)
        if not passage.text:
            return "The article gives no date."
        return f"Published {long_form(day) if day and len(passage.text) <= 10 else shown_date(passage.text)}."
    return f"Published by {passage.text}." if passage.text else "The article does not name its outlet."


def about_where(passage: Passage) -> str:
    """The article an answer from front matter is about: headline, outlet, date, link; the front matter."""
    a = passage.article
    line = ", ".join([f"“{a.title}”"] + [x for x in (a.source, shown_date(a.published)) if x])
    if a.url:
        line += f" <{a.url}>"
    return line + "; from the article's front matter"


def where_line(passage: Passage) -> str:
    """Headline; outlet, date; paragraph — where the passage comes from."""
    article = passage.article
    parts = [f"“{clip(article.title, MAX_HEADLINE)}”"]
    parts += [clip(x, MAX_NAME) for x in (article.source, shown_date(article.published)) if x]
    parts.append(("photo caption" if passage.kind == "caption" else "standfirst" if passage.kind == "standfirst"
                  else f"paragraph {passage.paragraph}"))
    return ", ".join(parts)


def attribution_line(passage: Passage) -> str:
    """One line: where the passage comes from, its link, and who the article says made the claim."""
    line = where_line(passage)
    if passage.article.url:
        line += f" <{clip(passage.article.url, MAX_URL)}>"
    if passage.speaker:
        line += f"; according to {clip(passage.speaker, MAX_NAME)}"
    if passage.credit:
        line += f"; photo: {clip(passage.credit, MAX_NAME)}"
    return line


def counted(n: int, noun: str) -> str:
    """"1 article", "2,225 articles"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def sentence_count(source: Source) -> str:
    return f"({counted(source.sentences, 'sentence')})"


def unknown_command(command: str) -> str:
    """The console's reply to "/frobnicate": a command it does not have is not a question."""
    return f"There is no {command} command. Commands: more, context, new, sources, help, quit."


def sources_table(sources: Sequence[Source]) -> str:
    """`newsbot sources`: id, sentence count and headline (outlet, date; by author; tags) of each article."""
    width = max(len(s.id) for s in sources)
    lines = [f"{'ID'.ljust(width)}  SENTENCES  HEADLINE"]
    for s in sources:
        lines.append(f"{s.id.ljust(width)}  {s.sentences:>9}  {clip(s.title, MAX_HEADLINE)}{source_details(s)}")
    return "\n".join(lines)


def source_details(s: Source) -> str:
    """" (Northwire, 2024-06-17; by Ines Calloway; tags: floods, weather)", or nothing when nothing is known."""
    parts = [", ".join(clip(x, MAX_NAME) for x in (s.source, shown_date(s.published)) if x)]
    parts += [f"by {clip(s.author, MAX_NAME)}" if s.author else "",
              "tags: " + clip(", ".join(s.tags), MAX_NAME) if s.tags else ""]
    extra = "; ".join(p for p in parts if p)
    return f" ({extra})" if extra else ""


def clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
