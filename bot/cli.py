"""The `newsbot` command line: console, ask, sources, index, add, follow (and telegram)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from retrieval import CorpusError

from . import render
from .answers import Answer
from .service import AnsweringService, default_corpus
from .telegram.cli import add_parser as add_telegram


def warn(message: str) -> None:
    print(f"newsbot: warning: {message}", file=sys.stderr, flush=True)


def fail(message: str, code: int = 1) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr, flush=True)
    return code


def open_service(args: argparse.Namespace) -> AnsweringService:
    return AnsweringService.open(args.corpus, args.cache_dir, on_warning=warn)


def build_parser() -> argparse.ArgumentParser:
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", metavar="DIR", type=Path, default=None,
                        help="folder of .txt/.md articles (default: $NEWSBOT_CORPUS or the bundled seeds)")
    corpus.add_argument("--cache-dir", metavar="DIR", type=Path, default=None,
                        help="where the index cache lives (default: $NEWSBOT_CACHE or the user cache folder)")
    corpus.add_argument("--follow-links", action="store_true", default=None,
                        help="also read article files that link outside the corpus folder (default: "
                             "$NEWSBOT_FOLLOW_LINKS=1, else skipped with a warning)")

    parser = argparse.ArgumentParser(prog="newsbot", description="Answers questions about news articles "
                                     "with the sentence that says it and where it comes from.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    console = commands.add_parser("console", parents=[corpus], help="chat with the bot in this terminal")
    console.add_argument("--plain", action="store_true", help="no colours or line editing")
    console.set_defaults(run=run_console)

    ask = commands.add_parser("ask", parents=[corpus], help="answer one question (or '-' for stdin, one per line)")
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
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "console")  # `newsbot --corpus DIR` starts the console on DIR
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["console"])
    if getattr(args, "follow_links", None):
        os.environ["NEWSBOT_FOLLOW_LINKS"] = "1"  # read where the files are found (retrieval/folder.py)
    try:
        return args.run(args)
    except CorpusError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`newsbot ask - | head`); nothing left to say to them.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run_console(args: argparse.Namespace) -> int:
    from .console import run

    return run(open_service(args), plain=args.plain)


def run_ask(args: argparse.Namespace) -> int:
    service = open_service(args)
    if args.question != "-":
        answer = service.ask(args.question, top_k=args.top_k, article=args.article)
        reply = render.reply(answer)
        print(json.dumps(answer.to_json(reply), ensure_ascii=False) if args.json else reply)
        return 0
    # A line of bytes that are not UTF-8 is still one question (with replacement characters).
    sys.stdin.reconfigure(errors="replace")
    for line in sys.stdin:
        answer, reply = _ask_line(service, line.rstrip("\r\n"), args)
        if args.json:
            print(json.dumps(answer.to_json(reply), ensure_ascii=False), flush=True)
        else:
            print(_one_line(reply), flush=True)
    return 0


def _ask_line(service: AnsweringService, line: str, args: argparse.Namespace) -> tuple[Answer, str]:
    """One stdin line (plain text, or {"question": ..., "article": ID, "top_k": N}): its answer and reply."""
    question, article, top_k = line, args.article, args.top_k
    if line.lstrip().startswith("{"):
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("question", ""), str):
                raise ValueError("needs a \"question\" string")
            question = request.get("question", "")
            article = request.get("article", article)
            top_k = int(request.get("top_k", top_k))
            if article is not None and not isinstance(article, str):
                raise ValueError("\"article\" must be a string")
            if not 1 <= top_k <= 50:
                raise ValueError("\"top_k\" must be from 1 to 50")
        except (ValueError, TypeError, OverflowError) as err:
            return Answer(line, False, (), "bad_request"), render.unreadable_request(err)
    answer = service.ask(question, top_k=top_k, article=article)
    return answer, render.reply(answer)


def _one_line(reply: str) -> str:
    return " | ".join(part.strip() for part in reply.splitlines() if part.strip())


def run_sources(args: argparse.Namespace) -> int:
    sources = open_service(args).sources()
    if args.json:
        print(json.dumps([{"id": s.id, "title": s.title, "source": s.source, "url": s.url,
                           "published": s.published, "sentences": s.sentences} for s in sources],
                         ensure_ascii=False))
        return 0
    print(render.sources_table(sources))
    return 0


def run_eval(args: argparse.Namespace) -> int:
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
    report = evaluate(open_service(args), items, args.article)
    print(report.table())
    if report.misses:
        print("\nmisses:")
        print("\n".join(f"  {m}" for m in report.misses))
    return 0


def run_index(args: argparse.Namespace) -> int:
    from retrieval.corpus import open_corpus

    folder = args.corpus or default_corpus()
    started = time.perf_counter()
    index = open_corpus(folder, args.cache_dir, warn, progress=_progress)
    took = time.perf_counter() - started
    n = len(index.corpus.sentences)
    how = (f"loaded from the cache in {took:.2f} s (no article changed)" if index.from_cache
           else f"indexed in {took:.2f} s ({n / max(took, 1e-9):,.0f} sentences/s)")
    print(f"{len(index.corpus.articles)} articles, {n} sentences, {len(index.index.vocabulary)} terms {how}; {folder}")
    return 0


def _progress(items, total: int, what: str):
    """A progress bar on stderr for large corpora (tqdm), plain iteration for small ones."""
    if total < 500 or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=what, unit=" files", file=sys.stderr)
