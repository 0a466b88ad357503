"""The `newsbot add` and `newsbot follow` commands, and `telegram --feed`: web pages and feeds saved
as article files in the corpus folder (the work is done in web/)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from web import EVERY, MAX_BACKOFF, MAX_BYTES, TIMEOUT

from .folders import folder_path


def add_parsers(commands: argparse._SubParsersAction) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--corpus", metavar="DIR", type=folder_path, default=argparse.SUPPRESS,  # or before the command
                       help="the corpus folder to save into (default: $NEWSBOT_CORPUS; required)")
    where.add_argument("--timeout", type=_positive, default=TIMEOUT, metavar="SECONDS",
                       help=f"give up on a page or feed after this long (default {TIMEOUT:g})")
    where.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                       help=f"largest page or feed read (default {MAX_BYTES:,})")

    add = commands.add_parser(
        "add", parents=[where], help="save web pages and RSS/Atom feeds' items as articles",
        description="Save web pages, and every item of RSS or Atom feeds, as article files in the corpus "
                    "folder. Exit code 0 when every page, feed and item was saved or was there already, "
                    "1 when any failed (each named on stderr).")
    add.add_argument("targets", nargs="+", metavar="URL|FILE", help="a page or feed: a URL, or a file saved on disk")
    add.set_defaults(run=run_add)

    follow = commands.add_parser(
        "follow", parents=[where], help="poll feeds and save their new items as articles",
        description="Poll RSS or Atom feeds (conditional GET, backing off on errors) and save new items as "
                    "`add` does, until Ctrl-C or SIGTERM.")
    follow.add_argument("feeds", nargs="+", metavar="FEED_URL")
    add_follow_options(follow, prefix="")
    follow.add_argument("--once", action="store_true", help="poll each feed once and stop")
    follow.set_defaults(run=run_follow)


def add_follow_options(parser: argparse.ArgumentParser, prefix: str = "feed-") -> None:
    parser.add_argument(f"--{prefix}every", dest="feed_every", type=_positive, default=EVERY, metavar="SECONDS",
                        help=f"seconds between polls of a feed (default {EVERY:g})")
    parser.add_argument(f"--{prefix}max-backoff", dest="feed_max_backoff", type=_positive, default=MAX_BACKOFF,
                        metavar="SECONDS", help=f"longest wait after failed polls (default {MAX_BACKOFF:g})")


def add_telegram_options(parser: argparse.ArgumentParser) -> None:
    """`telegram --feed URL` (repeatable): follow feeds inside the bot."""
    parser.add_argument("--feed", action="append", metavar="URL",
                        help="follow this RSS/Atom feed, saving new items into the corpus folder (repeat)")
    add_follow_options(parser)


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _folder(args: argparse.Namespace) -> Path | None:
    folder = args.corpus or (Path(os.environ["NEWSBOT_CORPUS"]) if os.environ.get("NEWSBOT_CORPUS") else None)
    if folder is None:
        _say("error", "name the corpus folder to save into with --corpus DIR or NEWSBOT_CORPUS")
    elif folder.exists() and not folder.is_dir():
        _say("error", f"{folder} is not a folder")
        return None
    return folder


def _say(kind: str, message: str) -> None:
    print(f"newsbot: {kind}: {message}", file=sys.stderr, flush=True)


def _adder(folder: Path, args: argparse.Namespace, report):
    from web.adding import Adder
    from web.shelf import Shelf

    return Adder(Shelf(folder), report, timeout=args.timeout, max_bytes=args.max_bytes)


def _print_event(event, quiet_skips: bool = False) -> None:
    if event.kind == "saved":
        print(f"saved {event.path}  {event.message}", flush=True)
    elif event.kind == "skipped":
        if not quiet_skips:
            print(f"skipped {event.what}: {event.message}", flush=True)
    elif event.kind == "note":
        print(f"saved {event.path}  “{event.title}”", flush=True)
        _say("note", f"{event.what}: {event.message}")
    else:
        _say("failed", f"{event.what}: {event.message}")


def run_add(args: argparse.Namespace) -> int:
    folder = _folder(args)
    if folder is None:
        return 2
    adder = _adder(folder, args, _print_event)
    for target in args.targets:
        adder.add(target)
    return 1 if adder.failures else 0


def run_follow(args: argparse.Namespace) -> int:
    from web.fetch import is_url
    from web.follow import Follower

    folder = _folder(args)
    if folder is None:
        return 2
    if not_urls := [feed for feed in args.feeds if not is_url(feed)]:
        _say("error", f"follow polls feeds by URL (http:// or https://), not {not_urls[0]!r}; "
                      "`newsbot add` reads a feed saved on disk")
        return 2
    adder = _adder(folder, args, lambda event: _print_event(event, quiet_skips=True))
    follower = Follower(args.feeds, adder, every=args.feed_every, max_backoff=args.feed_max_backoff)
    if args.once:
        follower.poll_due()
        return 1 if adder.failures else 0
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"following {len(follower.feeds)} feed{'s' if len(follower.feeds) != 1 else ''} every "
          f"{args.feed_every:g} s into {folder}; Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        follower.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


@contextlib.contextmanager
def feeds_in_background(args: argparse.Namespace, logger: logging.Logger):
    """Follow `args.feed` in a thread of its own while the body runs (the Telegram bot): fetching
    never blocks answering, and the bot's corpus reload picks the saved items up. Stops on exit.
    Without a corpus folder to save into it says so in one line and exits with code 2."""
    feeds = getattr(args, "feed", None)
    if not feeds:
        yield
        return
    folder = _folder(args)
    if folder is None:
        raise SystemExit(2)
    from web.adding import Adder
    from web.follow import Follower
    from web.shelf import Shelf

    def log(event) -> None:
        if event.kind == "saved":
            logger.info("feed item saved: %s (%s)", event.path, event.message)
        elif event.kind == "note":
            logger.info("feed item saved: %s (%s: %s)", event.path, event.what, event.message)
        elif event.kind == "failed":
            logger.warning("feed: %s: %s", event.what, event.message)

    def follow() -> None:  # the first look at the folder happens here too, not holding up the bot's start
        try:
            adder = Adder(Shelf(folder), log, timeout=TIMEOUT, max_bytes=MAX_BYTES)
            Follower(feeds, adder, every=args.feed_every, max_backoff=args.feed_max_backoff).run(stop)
        except Exception:  # noqa: BLE001 - the bot answers on without its feeds
            logger.exception("following feeds stopped")

    stop = threading.Event()
    thread = threading.Thread(target=follow, name="newsbot-feeds", daemon=True)
    thread.start()
    count = len(dict.fromkeys(feeds))
    logger.info("following %d feed%s every %g s", count, "s" if count != 1 else "", args.feed_every)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=TIMEOUT + 1)
