"""Follow-up questions: the share answered right with the conversation's thread, beside each asked alone.

    python benchmarks/followups.py

Runs the scripted conversations of tests/conversations.py (the seed article and the multi-outlet test
archive; the tests assert every turn of them) and its held-out ones (written once the rules were
settled, not tuned on) through `newsbot ask - --json`, each under its own "conversation" key, and the same follow-ups
as lines without a key (read alone, as DrQA's console, cdQA and FAQ bots read every question). A
follow-up is answered right when the bot gives the expected sentence, or declines when the articles do
not answer it; it is read right when its "read_as" is what the script expects (None for a new topic).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conversations import CORPORA, HELD_OUT, INTERLEAVED, Turn, misses  # noqa: E402


def ask(folder: Path, lines: list[dict]) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "-", "--json", "--top-k", "1", "--corpus", str(folder)],
                            input="".join(json.dumps(line) + "\n" for line in lines), capture_output=True, text=True,
                            cwd=ROOT, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def answered_right(turn: Turn, reply: dict) -> bool:
    text = reply["answers"][0]["text"] if reply["answers"] else None
    return not [m for m in misses(turn, reply["answered"], text, None) if "read" not in m]


def read_right(turn: Turn, reply: dict) -> bool:
    text = reply["answers"][0]["text"] if reply["answers"] else None
    return not [m for m in misses(turn, reply["answered"], text, reply["read_as"]) if "read" in m]


def main() -> int:
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, thread, alone, read
    plan = [(corpus, folder, [(s.name, t, i > 0) for s in scripts for i, t in enumerate(s.turns)])
            for corpus, (folder, scripts) in CORPORA.items()]
    plan.append(("interleaved", CORPORA["seed"][0], [(key, t, t.read_as is not None) for key, t in INTERLEAVED]))
    plan += [(f"{corpus} (held out)", CORPORA[corpus][0], [(s.name, t, i > 0) for s in scripts for i, t in enumerate(s.turns)])
             for corpus, scripts in HELD_OUT.items()]
    for corpus, folder, turns in plan:
        threaded = ask(folder, [{"conversation": key, "question": t.question} for key, t, _ in turns])
        alone = ask(folder, [{"question": t.question} for _, t, _ in turns])
        for (_, turn, scored), with_thread, by_itself in zip(turns, threaded, alone):
            if not scored:
                continue
            total = ("all held out", "all") if "held out" in corpus else ("all scripted", "all")
            for key in ((corpus, turn.kind), total):
                row = rows[key]
                row[0] += 1
                row[1] += answered_right(turn, with_thread)
                row[2] += answered_right(turn, by_itself)
                row[3] += read_right(turn, with_thread)
    print(f"{'conversations':<20} {'follow-up':<10} {'n':>3}  {'right, thread':>13}  {'right, alone':>12}  {'read right':>10}")
    for (corpus, kind), (n, thread, alone, read) in sorted(rows.items(), key=lambda kv: kv[0][0].startswith("all")):
        print(f"{corpus:<20} {kind:<10} {n:>3}  {thread / n:>13.2f}  {alone / n:>12.2f}  {read / n:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
