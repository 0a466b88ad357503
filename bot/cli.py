"""The `newsbot` command line: console, ask, sources, index, add, follow (and telegram).

Only what building the parser needs is imported with this module: the commands that answer from the
corpus begin its change check in a child process (retrieval.prefetch.Prefetch) once the arguments are
read, and import the index code, the answering and the rendering meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.articles import DEFAULT_MAX_FILE_BYTES

from .folders import default_corpus, folder_path
from .telegram.cli import add_parser as add_telegram

if TYPE_CHECKING:
    from .answers import Answer
    from .conversation import Conversation
    from .filters import Filters
    from .service import AnsweringService


MAX_FILE_ENV = "NEWSBOT_MAX_FILE_MB"
PROGRESS_MIN_BYTES = 1_000_000  # a bar only for reading more than this (and only on a terminal)


def warn(message: str) -> None:
    from . import render

    print(f"newsbot: warning: {render.terminal_safe(message)}", file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """What newsbot is busy with, one line on stderr ("building the index for 12 articles…")."""
    from . import render

    print(f"newsbot: {render.terminal_safe(message)}", file=sys.stderr, flush=True)


def progress(what: str, total: int):
    """A progress bar over the bytes being read, on stderr (tqdm), when it is a terminal and there is much."""
    if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        return contextlib.nullcontext(_NoBar())
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit="B", unit_scale=True, file=sys.stderr, leave=False)


class _NoBar:
    def update(self, n: int) -> None:
        pass


def max_file_bytes_from_env() -> int | None:
    """The size limit for article files from $NEWSBOT_MAX_FILE_MB, or None. Raises ValueError."""
    value = os.environ.get(MAX_FILE_ENV, "").strip()
    if not value:
        return None
    try:
        return _megabytes(value)
    except argparse.ArgumentTypeError as err:
        raise ValueError(f"{MAX_FILE_ENV} {err}") from None


def fail(message: str, code: int = 1) -> int:
    from . import render

    print(f"newsbot: error: {render.terminal_safe(message)}", file=sys.stderr, flush=True)
    return code


def open_service(args: argparse.Namespace) -> AnsweringService:
    from .service import AnsweringService
    from .skipped import SkipNotes

    notes = SkipNotes(warn)  # skipped files named once, and as one line from an unchanged cache
    notes.hold()
    try:
        service = AnsweringService.open(args.corpus, args.cache_dir, on_warning=notes, progress=progress,
                                        notice=notice, max_file_bytes=args.max_file_bytes,
                                        prefetch=getattr(args, "prefetch", None))
    except BaseException:
        notes.opened(from_cache=False)  # (every file skipped named, before the error that follows)
        raise
    notes.opened(service.index.from_cache)
    return service


def _prefetch(args: argparse.Namespace) -> None:
    """Begin the corpus folder's change check in a child process, for the commands that answer from it."""
    if args.run not in (run_ask, run_console, run_sources, run_eval, run_index):
        return
    from retrieval.prefetch import Prefetch

    folder = args.corpus or default_corpus()
    if folder.expanduser().is_dir():
        args.prefetch = Prefetch(folder, args.cache_dir)


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options every command takes, before or after its name (`newsbot --corpus DIR sources`).

    Given on the main parser with their defaults, and on each command with none (argparse.SUPPRESS),
    so that a value given before the command is not reset by the command's own parser.
    """
    def default(value):
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--corpus", metavar="DIR", type=folder_path, default=default(None),
                        help="folder of .txt/.md articles (default: $NEWSBOT_CORPUS or the bundled seeds)")
    parser.add_argument("--cache-dir", metavar="DIR", type=folder_path, default=default(None),
                        help="where the index cache lives (default: $NEWSBOT_CACHE or the user cache folder)")
    parser.add_argument("--max-file-mb", dest="max_file_bytes", metavar="MB", type=_megabytes,
                        default=default(None),
                        help=f"skip article files larger than this (default: ${MAX_FILE_ENV} or "
                             f"{DEFAULT_MAX_FILE_BYTES // 1_000_000})")
    parser.add_argument("--follow-links", action="store_true", default=default(False),
                        help="also read article files that link outside the corpus folder (default: "
                             "$NEWSBOT_FOLLOW_LINKS=1, else skipped with a warning)")


def _megabytes(value: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of megabytes: {value!r}") from None
    if not 0 < number < 1e6:
        raise argparse.ArgumentTypeError("must be more than 0 (megabytes)")
    return int(number * 1_000_000)


def _version() -> str:
    from retrieval.cache import installed_versions

    # "unknown": run from a checkout that was never installed
    return installed_versions(["newsbot"]).get("newsbot", "unknown")


class _Version(argparse.Action):
    """--version, its number looked up only when asked for (not by every command)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"newsbot {_version()}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, but an option it does not know is named before a missing argument: `newsbot ask -x`
    says "unrecognized arguments: -x", not that the question is required."""

    def parse_known_args(self, args=None, namespace=None):
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        if message.startswith("the following arguments are required"):
            known = self._option_string_actions
            unknown = [a for a in getattr(self, "_given", []) if a.startswith("-") and a not in ("-", "--")
                       and not re.match(r"-\d", a) and not any(o.startswith(a.split("=", 1)[0]) for o in known)]
            if unknown:
                message = f"unrecognized arguments: {' '.join(unknown)}"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    corpus = argparse.ArgumentParser(add_help=False)
    _global_options(corpus, defaults=False)

    parser = _Parser(prog="newsbot", description="Answers questions about news articles "
                                     "with the sentence that says it and where it comes from.",
                                     epilog="Run `newsbot COMMAND --help` for a command's own options.")
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    within = argparse.ArgumentParser(add_help=False)
    within.add_argument("--since", metavar="DATE", help="search only articles published on or after DATE "
                        "(YYYY-MM-DD or an ISO time)")
    within.add_argument("--until", metavar="DATE", help="search only articles published on or before DATE "
                        "(a day counts whole)")
    within.add_argument("--source", metavar="NAME", help="search only this outlet's articles (any case)")

    console = commands.add_parser("console", parents=[corpus, within], help="chat with the bot in this terminal")
    console.add_argument("--plain", action="store_true", help="no colours or line editing")
    console.set_defaults(run=run_console)

    ask = commands.add_parser("ask", parents=[corpus, within], help="answer one question (or '-' for stdin, one per line)")
    ask.add_argument("question", help="the question, or - to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (JSON Lines with -)")
    ask.add_argument("--top-k", type=_top_k, default=3, metavar="N", help="how many ranked sentences, 1 to 50 (default 3)")
    ask.add_argument("--article", metavar="ID", help="search only this article")
    ask.set_defaults(run=run_ask)

    sources = commands.add_parser("sources", parents=[corpus], help="list the articles")
    sources.add_argument("--json", action="store_true", help="print JSON")
    sources.set_defaults(run=run_sources)

    index = commands.add_parser("index", parents=[corpus], help="build or refresh the index cache")
    index.set_defaults(run=run_index)

    evaluate = commands.add_parser("eval", parents=[corpus], help="score the bot on a question set (JSON Lines)")
    evaluate.add_argument("qa_file", nargs="?", type=Path, metavar="QA_FILE",
                          help='lines of {"question": ..., "expected": [substring, ...] | null} '
                               "(default: the bundled seed question set)")
    evaluate.add_argument("--article", metavar="ID", help="search only this article")
    evaluate.set_defaults(run=run_eval)

    from .web_cli import add_parsers as add_web_commands  # `add` and `follow`: web pages and feeds

    add_web_commands(commands)

    add_telegram(commands, corpus)
    return parser


def _top_k(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= 50:
        raise argparse.ArgumentTypeError("must be from 1 to 50")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        # No command is a usage error like any other: the help, on stderr, and exit code 2.
        parser.print_help(sys.stderr)
        return 2
    if args.max_file_bytes is None:
        try:
            args.max_file_bytes = max_file_bytes_from_env()
        except ValueError as err:
            return fail(str(err), 2)
    if getattr(args, "follow_links", False):
        os.environ["NEWSBOT_FOLLOW_LINKS"] = "1"  # read where the files are found (retrieval/folder.py)
    try:
        _prefetch(args)
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`newsbot ask - | head`); nothing left to say to them.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:
        from retrieval.corpus import CorpusError

        if not isinstance(err, CorpusError):
            raise
        return fail(str(err))
    finally:
        if getattr(args, "prefetch", None) is not None:
            args.prefetch.close()


def _filters(args: argparse.Namespace) -> Filters | None:
    """--since, --until and --source as Filters; raises FilterError (one line) for a bad one."""
    from .filters import Filters

    return Filters.read(args.since, args.until, args.source) or None


def run_console(args: argparse.Namespace) -> int:
    from .console import run
    from .filters import FilterError

    try:
        filters = _filters(args)
    except FilterError as err:
        return fail(str(err), 2)
    return run(open_service(args), plain=args.plain, filters=filters)


def run_ask(args: argparse.Namespace) -> int:
    from . import render
    from .answers import Answer
    from .filters import FilterError

    try:
        args.filters = _filters(args)
    except FilterError as err:
        return fail(str(err), 2)
    if args.question != "-" and not args.question.strip():
        return fail("the question is empty", 2)  # (said before the index is opened, or built)
    service = open_service(args)
    if args.article is not None and not service.index.has_article(args.article):
        return fail(render.unknown_article(args.article))
    if args.question != "-":
        # Bytes in the argument that are not UTF-8 are replacement characters, as on a line of stdin
        # (not the lone surrogates Python decodes them to, which a JSON reader cannot take).
        question = os.fsencode(args.question).decode("utf-8", "replace")
        answer = Answer(question, False, (), "ask_first") if _asks_more(question) else \
            Answer(question, False, (), "started_afresh") if _command(question) == "new" else \
            service.ask(question, top_k=args.top_k, article=args.article, filters=args.filters)
        reply = _reply(answer)
        print(render.json_safe(json.dumps(answer.to_json(reply), ensure_ascii=False)) if args.json
              else render.terminal_safe(reply))
        return 0
    # A line of bytes that are not UTF-8 is still one question (with replacement characters).
    sys.stdin.reconfigure(errors="replace")
    conversations: dict[str, Conversation] = {}  # lines sharing a "conversation" key are one thread
    for line in sys.stdin:
        answer, reply, error = _ask_line(service, line.rstrip("\r\n"), args, conversations)
        if args.json:
            data = answer.to_json(reply)
            if error:
                data["error"] = error
            print(render.json_safe(json.dumps(data, ensure_ascii=False)), flush=True)
        else:
            print(render.terminal_safe(_one_line(reply)), flush=True)
    return 0


def _ask_line(service: AnsweringService, line: str, args: argparse.Namespace,
              conversations: dict[str, Conversation]) -> tuple[Answer, str, str | None]:
    """One stdin line: its answer, its reply, and the error when the line could not be asked (else None).

    Lines with the same "conversation" key are one conversation's turns, so a follow-up is read with them.
    """
    from . import render
    from .answers import Answer
    from .conversation import Conversation
    from .filters import FilterError, Filters
    from .requests import BadRequest, read_request

    try:
        request = read_request(line, args.article, args.top_k)
        filters = args.filters
        if request.filters:  # the line's "since", "until", "source" over the command line's
            filters = (filters or Filters()).merged(Filters.read(**request.filters))
    except (BadRequest, FilterError) as err:
        return Answer(line, False, (), "bad_request"), render.unreadable_request(err), str(err)
    asks_more = _asks_more(request.question)
    if _command(request.question) == "new":  # as in the console: the conversation's next line is read alone
        if request.conversation in conversations:
            conversations[request.conversation].new()
        return Answer(request.question, False, (), "started_afresh"), render.STARTED_AFRESH, None
    if request.conversation is not None:
        conversation = conversations.setdefault(request.conversation, Conversation(service, top_k=request.top_k))
        answer = conversation.more() if asks_more else \
            conversation.ask(request.question, article=request.article, top_k=request.top_k, filters=filters)
    elif asks_more:  # nothing to continue: a line without a "conversation" stands alone
        answer = Answer(request.question, False, (), "ask_first")
    else:
        answer = service.ask(request.question, top_k=request.top_k, article=request.article, filters=filters)
    if answer.kind == "unknown_article":
        error = render.unknown_article(request.article)
        return answer, render.unreadable_request(error), error
    return answer, _reply(answer), None


def _asks_more(question: str) -> bool:
    """"more" (or "/more"), as the console and Telegram take it: the next-best answer, not a question."""
    return _command(question) == "more"


def _command(question: str) -> str:
    return question.strip().lower().rstrip("!.").lstrip("/")


def _reply(answer: Answer) -> str:
    from . import render

    # Not a question ("hello"): how to ask, without the console's commands, which `ask` does not take.
    return render.ASK_HELP if answer.kind == "help" else render.reply(answer)


def _one_line(reply: str) -> str:
    return " | ".join(part.strip() for part in reply.splitlines() if part.strip())


def run_sources(args: argparse.Namespace) -> int:
    from . import render

    sources = open_service(args).sources()
    if args.json:
        print(render.json_safe(json.dumps([{**s.to_json(), "sentences": s.sentences} for s in sources],
                                          ensure_ascii=False)))
        return 0
    print(render.terminal_safe(render.sources_table(sources)))
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from . import render
    from .evaluate import EvalFileError, evaluate, read_items

    import seeds

    path = args.qa_file or seeds.folder() / "questions.jsonl"
    try:
        items = read_items(path)
    except OSError as err:
        return fail(f"cannot read {path}: {err.strerror}")
    except UnicodeDecodeError:
        return fail(f"{path} is not UTF-8 text")
    except EvalFileError as err:
        return fail(str(err))
    service = open_service(args)
    if args.article is not None and not service.index.has_article(args.article):
        return fail(render.unknown_article(args.article))
    report = evaluate(service, items, args.article)
    print(report.table())
    if report.misses:
        print("\nmisses:")
        print("\n".join(f"  {m}" for m in report.misses))
    return 0


def run_index(args: argparse.Namespace) -> int:
    from retrieval.corpus import open_corpus

    from .render import counted

    folder = args.corpus or default_corpus()
    started = time.perf_counter()
    warnings: list[str] = []  # held back: a cache that could not be written is this command's error, said once
    try:
        index = open_corpus(folder, args.cache_dir, warnings.append, progress=progress, notice=notice,
                            max_file_bytes=args.max_file_bytes, prefetch=getattr(args, "prefetch", None))
    finally:
        for message in warnings:
            if not message.startswith("could not write the index cache"):
                warn(message)
    took = time.perf_counter() - started
    if index.cache_error:
        return fail(f"{index.cache_error}; the index was built but not saved")
    n = len(index.corpus.sentences)
    articles = len(index.corpus.articles) + len(index.skipped)
    how = (f"loaded from the cache in {took:.2f} s (no article changed)" if index.from_cache
           else f"updated in {took:.2f} s ({counted(index.reread, 'changed file')} read)"
           if index.reread < articles
           else f"indexed in {took:.2f} s ({n / max(took, 1e-9):,.0f} sentences/s)" if n >= 1000
           else f"indexed in {took:.2f} s")  # (a small folder's rate is the start's, not the reading's)
    print(f"{counted(len(index.corpus.articles), 'article')}, {counted(n, 'sentence')}, "
          f"{counted(len(index.index.vocabulary), 'term')} {how}; {folder}")
    return 0
