"""Telegram adapter throughput and latency: questions in through a loopback Bot API, answers out.

`newsbot telegram` runs as a real subprocess (flood throttle and per-reader limit off) against the
fake Bot API server of the tests, which runs here. Latency is from the moment an update is
available to the bot to the moment its reply reaches the server. Two loads:

- burst: every question at once; answers per second is the sustained throughput.
- steady: questions at a fixed rate below capacity; latency is what one reader waits.

The peer in the same run is an echo bot on python-telegram-bot's defaults (httpx transport)
doing no answering at all: what the framework alone costs through the same path.

    python benchmarks/telegram_bench.py            # about a minute
    python benchmarks/telegram_bench.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TEST_TOKEN, FakeBotApi, ThreadedFakeBotApi  # noqa: E402


def questions() -> list[str]:
    lines = (ROOT / "seeds" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def start_bot(kind: str, api: FakeBotApi) -> subprocess.Popen:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TEST_TOKEN, PYTHONPATH=str(ROOT))
    if kind == "newsbot":
        command = [sys.executable, "-m", "bot", "telegram", "--api-url", api.base_url, "--no-throttle",
                   "--questions-per-minute", "0"]
    else:
        command = [sys.executable, __file__, "--echo-bot", api.base_url]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    api.wait_for_sync(lambda: api.calls_of("getUpdates") or process.poll() is not None, timeout=60)
    if process.poll() is not None:
        raise SystemExit(f"{kind} did not start:\n{process.stderr.read()}")
    return process


def stop_bot(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_load(api: FakeBotApi, asked: list[str], chats: int, rate: float | None, timeout: float = 120) -> dict:
    """Send `asked` round-robin over `chats` chats, all at once (rate None) or `rate` per second."""
    before = len(api.messages)
    sent: list[tuple[int, int]] = []
    start = time.monotonic()
    for number, question in enumerate(asked):
        if rate:
            delay = start + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        chat = 10_000 + number % chats
        sent.append((chat, api.send_text(chat, question)))
    api.wait_for_sync(lambda: len(api.messages) - before >= len(sent), timeout=timeout)
    replies = {(m.chat_id, m.reply_to_message_id): m for m in api.messages[before:]}
    latencies = sorted((replies[key].sent_at - api.injected_at[key]) * 1000 for key in sent)
    first = min(api.injected_at[key] for key in sent)
    last = max(replies[key].sent_at for key in sent)
    return {
        "answers": len(sent),
        "per_second": len(sent) / (last - first),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "mean": statistics.fmean(latencies),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller loads, for a smoke run")
    parser.add_argument("--burst", type=int, default=3000, help="questions in the burst (default 3000)")
    parser.add_argument("--chats", type=int, default=200, help="chats the questions come from (default 200)")
    parser.add_argument("--rate", type=float, default=300, help="steady questions per second (default 300)")
    parser.add_argument("--seconds", type=float, default=10, help="length of the steady load (default 10)")
    parser.add_argument("--echo-bot", metavar="API_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.echo_bot:
        return echo_bot(args.echo_bot)
    if args.quick:
        args.burst, args.seconds = 600, 2
    pool = questions()
    rows = []
    for kind in ("newsbot", "ptb-echo"):
        with ThreadedFakeBotApi() as api:
            bot = start_bot(kind, api)
            try:
                run_load(api, pool[:50], 50, None)  # warm up: connections, caches
                burst = run_load(api, [pool[i % len(pool)] for i in range(args.burst)], args.chats, None)
                steady_n = int(args.rate * args.seconds)
                steady = run_load(api, [pool[i % len(pool)] for i in range(steady_n)], args.chats, args.rate)
            finally:
                stop_bot(bot)
            typing = len(api.chat_actions)
        rows.append((kind, f"burst of {args.burst}", burst))
        rows.append((kind, f"steady {args.rate:.0f}/s", steady))
        if kind == "newsbot":
            print(f"(newsbot sent {typing} typing indicators alongside its answers)", file=sys.stderr)
    print(f"Telegram adapter through a loopback Bot API, {os.cpu_count()} cores, {args.chats} chats, "
          "flood throttle and per-reader limit off")
    print(f"{'bot':<10} {'load':<16} {'answers':>8} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, load, r in rows:
        print(f"{kind:<10} {load:<16} {r['answers']:>8} {r['per_second']:>10.0f} {r['p50']:>8.1f} {r['p99']:>8.1f}")


def echo_bot(api_url: str) -> None:
    """The peer: python-telegram-bot on its default httpx transport replying with the question's own text."""
    from telegram import ReplyParameters, Update
    from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        await message.reply_text(message.text, reply_parameters=ReplyParameters(message.message_id))

    application = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(api_url)
                   .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0))
                   .concurrent_updates(256).connection_pool_size(8).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0, timeout=30)


if __name__ == "__main__":
    main()
