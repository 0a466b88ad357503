"""Scripted conversations for follow-up questions, on the seed article and on the test archive.

Each turn is (question, expected, read_as): `expected` is a substring of the right answer's sentence, or
None when the articles do not answer it (the bot must decline or say there is no more); `read_as` is a
substring the "Reading this as" line must hold, or None when the question must be read alone. The
first turn of a conversation is always read alone; every other turn is a follow-up to score.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conftest import ROOT, SEEDS

ARCHIVE = ROOT / "tests" / "data" / "archive"


@dataclass(frozen=True)
class Turn:
    question: str
    expected: str | None
    read_as: str | None = None
    kind: str = "pronoun"  # what the follow-up leans with: pronoun, ellipsis, else, new topic


@dataclass(frozen=True)
class Script:
    name: str
    turns: tuple[Turn, ...]

    @property
    def follow_ups(self) -> tuple[Turn, ...]:
        return self.turns[1:]


def script(name: str, *turns: tuple) -> Script:
    return Script(name, tuple(Turn(*t) for t in turns))


SEED = [
    script("khan-sheikhoun-why",
           ("When did Moscow capture Khan Sheikhoun?", "captured the strategic town of Khan Sheihkoun"),
           ("Why does it matter?", "The capture of Khan Sheikhoun brought Moscow closer", "Khan Sheikhoun")),
    script("hamoud-group",
           ("Who said Russia's goals have not been achieved?", "The goals that Russia has set"),
           ("Which group is he a spokesman of?", "a spokesman of the Turkey-backed National Army", "Hamoud")),
    script("hamoud-else",
           ("Who said Russia's goals have not been achieved?", "The goals that Russia has set"),
           ("What else did he say?", "The amassing of Iranian militias", "what else did Maj Youssef Hamoud say", "else"),
           ("who is he?", "a spokesman of the Turkey-backed National Army", "who is Maj Youssef Hamoud"),
           ("Anything else?", None, "leaving out what was already shown", "else")),
    script("rashid-who",
           ("What did Mohammad Rashid say?", "Artillery shelling that has targeted"),
           ("Who is he?", "spokesman for the Jaish Al Nasr", "Mohammad Rashid")),
    script("lavrov-blame",
           ("What did Sergei Lavrov say in August?", "Sergei Lavrov said in August"),
           ("Whom does he blame?", "blame for violating the de-escalation", "Lavrov")),
    script("displaced-shelter",
           ("How many people were displaced?", "half a million people"),
           ("Where did they seek shelter?", "sought shelter at the border with Turkey", "displaced")),
    script("jets-thursday",
           ("Where did jets strike on Wednesday?", "struck a village near Kafr Takhareem"),
           ("What about Thursday?", "reported in Idlib province on Thursday", "Thursday", "ellipsis")),
    script("denied-turkey",
           ("Who denied conducting the first strikes?", "Moscow denied conducting the first strikes"),
           ("And Turkey?", None, "Turkey", "ellipsis"),
           ("Did Iran deny the strikes?", None, None, "new topic")),
    script("captured-when",
           ("Who captured the town of Khan Sheikhoun?", "captured the strategic town of Khan Sheihkoun"),
           ("When?", "A week before the ceasefire", "when", "ellipsis")),
    script("truce-where",
           ("When did Russia say the Syrian government agreed to a truce?", "unilaterally agreed to a truce"),
           ("Where?", "in opposition-controlled Idlib", "where did Russia say", "ellipsis")),
    script("hamoud-then-rashid",
           ("Who said Russia's goals have not been achieved?", "The goals that Russia has set"),
           ("What did Mohammad Rashid say?", "Artillery shelling that has targeted", None, "new topic"),
           ("What else did he say?", None, "Mohammad Rashid", "else")),
    script("strikes-then-civilians",
           ("Who denied conducting the first strikes?", "Moscow denied conducting the first strikes"),
           ("How many civilians have been killed?", "Hundreds of civilians have been killed", None, "new topic"),
           ("Where did they seek shelter?", "sought shelter at the border with Turkey", "civilians")),
]

ARCHIVE_SCRIPTS = [
    script("floods-when-else",
           ("How many people were killed in the Port Elling floods?", "At least 12 people were killed"),
           ("When?", "on Sunday", "when", "ellipsis"),
           ("What else did the coastguard say?", "rose to 15", "leaving out what was already shown", "else")),
    script("berg-promise",
           ("Who told reporters the clean-up would take months?", "Tomas Berg told reporters"),
           ("What did he promise?", "He promised 40 million crowns", "Tomas Berg"),
           ("Who is he?", "Regional governor Tomas Berg", "Tomas Berg")),
    script("ruiz",
           ("Why did Ana Ruiz resign?", "the council rejected her budget"),
           ("What did she write on X?", "proud of what her team had achieved", "Ana Ruiz"),
           ("Since when had she been mayor?", "mayor since 2019", "Ana Ruiz")),
    script("mill",
           ("What did the union leader say?", "workers had been given no warning"),
           ("Who did he tell?", "told the BBC", "Kofi Mensah"),
           ("When will the mill close?", "will close in August", None, "new topic"),
           ("How many jobs will it cost?", "the loss of 240 jobs", "mill")),
    script("coastguard-they",
           ("Who said at least 12 people were killed?", "At least 12 people were killed"),
           ("What else did they say?", "rose to 15", "the coastguard", "else")),
    script("rain-dunmore",
           ("When is more rain expected?", "more rain on Wednesday"),
           ("And in Dunmore?", None, "Dunmore", "ellipsis")),
    script("ferry",
           ("When did the ferry service resume?", "resumed on Monday after a nine-day strike"),
           ("What pay rise did its union accept?", "6 percent", "ferry"),
           ("Who will refund the tickets?", "the operator said", None, "new topic")),
    script("festival",
           ("How many visitors came to the lantern festival?", "About 20,000 visitors"),
           ("Since when has it been held?", "every summer since 1987", "festival")),
]

# Two readers at once, their turns interleaved: each follow-up leans on its own conversation only.
INTERLEAVED = [
    ("a", Turn("Who said Russia's goals have not been achieved?", "The goals that Russia has set")),
    ("b", Turn("What did Mohammad Rashid say?", "Artillery shelling that has targeted")),
    ("a", Turn("What else did he say?", "The amassing of Iranian militias", "Hamoud", "else")),
    ("b", Turn("Who is he?", "spokesman for the Jaish Al Nasr", "Mohammad Rashid")),
    ("a", Turn("who is he?", "a spokesman of the Turkey-backed National Army", "Hamoud")),
    ("b", Turn("What else did he say?", None, "Mohammad Rashid", "else")),
]

CORPORA = {"seed": (SEEDS, SEED), "archive": (ARCHIVE, ARCHIVE_SCRIPTS)}


def misses(turn: Turn, answered: bool, best_text: str | None, read_as: str | None) -> list[str]:
    """What is wrong with a reply to `turn` (empty when it is right)."""
    wrong = []
    if turn.expected is None:
        if answered:
            wrong.append(f"answered ({best_text!r}) but the articles do not answer it")
    elif not answered or best_text is None or turn.expected not in best_text:
        wrong.append(f"expected {turn.expected!r}, got {'answer' if answered else 'no answer'} {best_text!r}")
    if turn.read_as is None and read_as is not None:
        wrong.append(f"should be read alone, was read as {read_as!r}")
    if turn.read_as is not None and (read_as is None or turn.read_as.lower() not in read_as.lower()):
        wrong.append(f"should be read as …{turn.read_as}…, was read as {read_as!r}")
    return wrong


# Written after the rules above were settled and not tuned on: the share right on these is reported
# (benchmarks/followups.py) and held above a floor, each turn is not asserted.
HELD_OUT = {
    "seed": [
        script("monitor-truce",
               ("What did the war monitor say about Russia?", "Russia carried out air strikes on jihadist targets"),
               ("When did it declare a truce?", "declared a truce on August 31", "Russia")),
        script("kabaneh-who",
               ("What height did the jets hit in Latakia?", "known as Kabaneh"),
               ("Who said so?", "The rebel official said", "", "pronoun")),
        script("pounded-aided",
               ("Which towns in southern Idlib were pounded by the Syrian army?", "Kafr Sejnah and Hazareen"),
               ("Who aided it?", "aided by Iran-backed militias", "Syrian")),
        script("scorched-un",
               ("Who accused the alliance of scorched earth tactics?", "rights groups have accused"),
               ("What did the UN warn of?", "warnings by the United Nations", None, "new topic")),
        script("lavrov-where",
               ("What did Lavrov say?", "Sergei Lavrov said in August"),
               ("Where are they fighting?", "fighting on the ground in Idlib", "Lavrov")),
        script("strikes-wednesday",
               ("When were air strikes reported in Idlib?", "reported in Idlib province on Thursday"),
               ("And on Wednesday?", "early hours of Wednesday", "Wednesday", "ellipsis")),
    ],
    "archive": [
        script("homes-where",
               ("How many homes were flooded?", "More than 3,000 homes"),
               ("Where?", "in the lower town", "where", "ellipsis")),
        script("holm-who",
               ("What did Petra Holm say?", "never seen water rise this fast"),
               ("Who is she?", "leads the volunteer rescue team", "Petra Holm")),
        script("governor-aid",
               ("Who is the regional governor?", "Regional governor Tomas Berg"),
               ("How much aid did he promise?", "40 million crowns", "Tomas Berg")),
        script("mayor-why",
               ("When did the mayor resign?", "Ana Ruiz resigned as mayor"),
               ("Why?", "the council rejected her budget", "why", "ellipsis"),
               ("Who will replace her?", "choose an interim mayor", "Ruiz")),
        script("ferry-pay",
               ("When did the ferry strike end?", "resumed on Monday"),
               ("How much of a pay rise did the crews get?", "6 percent", None, "new topic")),
        script("festival-visitors",
               ("When is the lantern festival held?", "festival has been held every summer"),
               ("How many people came to it?", "About 20,000 visitors", "festival")),
        script("mill-statement",
               ("What did Kofi Mensah tell the BBC?", "workers had been given no warning"),
               ("What did the owners blame?", "rising energy costs", None, "new topic"),
               ("When did they say so?", "in a statement on Thursday", "")),
    ],
}
