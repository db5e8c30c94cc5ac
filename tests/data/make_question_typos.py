"""Builds tests/data/questions_typos.tsv: the labelled questions with one typing slip each.

For every question in questions.tsv one random word (seeded) of four letters
or more gets one edit, as thumbs make them on a phone: a doubled letter, a
dropped letter, two neighbouring letters swapped, or a Telex tone key left
at the end of the word ("việcj", "hanf"). Words with digits (unit codes,
numbers, dates) and short words are left alone: a slip there changes what
was asked, not how it was typed. The label stays the question's label.
Run: python3 tests/data/make_question_typos.py
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from handlers.text.fold import strip_diacritics  # noqa: E402

SOURCE = Path(__file__).with_name("questions.tsv")
OUT = Path(__file__).with_name("questions_typos.tsv")
TELEX = "jfsrx"
SEED = 16


def slip(word: str, kind: str, rng: random.Random) -> str:
    j = rng.randrange(1, len(word) - 1)
    if kind == "double":
        return word[:j] + word[j] + word[j:]
    if kind == "drop":
        return word[:j] + word[j + 1:]
    if kind == "swap":
        return word[:j] + word[j + 1] + word[j] + word[j + 2:]
    return strip_diacritics(word) + rng.choice(TELEX)  # the IME missed: plain letters + the tone key


def main() -> None:
    rng = random.Random(SEED)
    with SOURCE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for row in rows:
        words = row["text"].split(" ")
        candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 4 and not w.isupper()]
        if not candidates:
            continue
        i = rng.choice(candidates)
        kind = rng.choice(("double", "drop", "swap", "telex"))
        words[i] = slip(words[i], kind, rng)
        out.append({"style": f"typo-{kind}", "text": " ".join(words), "expected": row["expected"]})
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write("style\ttext\texpected\n")
        f.writelines(f"{r['style']}\t{r['text']}\t{r['expected']}\n" for r in out)
    print(f"{len(out)} questions with one slip → {OUT}")


if __name__ == "__main__":
    main()
