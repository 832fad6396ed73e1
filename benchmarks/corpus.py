"""Synthetic seed-like articles for benchmarks and audit tests.

    python benchmarks/corpus.py OUT_DIR --n 10000 [--faulty 0.3] [--jsonl] [--seed 7]

Each article has the Q&A-site layout of the seeds (title question, review-status
boilerplate, "From the Guidelines" and "From the Research" with sub-headings and
bullets, a reference list, a disclaimer) and seed-sized bodies of varied
length. A controlled share (``--faulty``) carries the seed's faults: a
contradictory term, sections that disagree, a root outside the reference
table, a repeated citation marker.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

TARGETS = [  # (movement or reflex as written, roots consistent with the reference table)
    ("ankle dorsiflexion", ["L4", "L5"]), ("great toe extension", ["L5"]), ("knee extension", ["L3", "L4"]),
    ("hip flexion", ["L2", "L3"]), ("ankle plantarflexion", ["S1", "S2"]), ("foot eversion", ["L5", "S1"]),
    ("the patellar reflex", ["L3", "L4"]), ("the Achilles reflex", ["S1"]), ("shoulder abduction", ["C5", "C6"]),
    ("elbow flexion", ["C5", "C6"]), ("wrist extension", ["C6", "C7"]), ("elbow extension", ["C7"]),
    ("the biceps reflex", ["C5", "C6"]), ("the triceps reflex", ["C7"]), ("finger abduction", ["T1"]),
]
FILLER = [
    "A focused neurologic examination compares both sides and grades strength on the MRC scale.",
    "Symptoms usually follow the distribution of the affected nerve root and may vary with posture.",
    "Imaging should be interpreted together with the clinical findings rather than on its own.",
    "Most patients improve with conservative treatment over several weeks.",
    "Red flags such as bladder dysfunction or progressive weakness require urgent assessment.",
    "Electrodiagnostic studies can help when the clinical picture is unclear.",
    "Pain that radiates below the knee suggests radicular rather than referred pain.",
    "Sensory testing with light touch and pinprick helps to map the affected dermatome.",
    "Serial examinations document whether a deficit is stable, improving or progressing.",
    "Decompressive surgery is considered when weakness is severe or does not recover.",
    "Younger patients tend to recover better than older patients after decompression.",
    "The degree of weakness at presentation predicts the extent of recovery in several series.",
]
BOILER = ("Medical Advisory BoardAll articles are reviewed for accuracy by our Medical Advisory Board\n"
          "Educational purpose only • Exercise caution as content is pending human review\nArticle Review Status\n"
          "Submitted\nUnder Review\nApproved\n\nLast updated: May 2, 2025View editorial policy\n")
DISCLAIMER = ("Professional Medical Disclaimer\n\nThis information is intended for healthcare professionals. "
              "Any medical decision-making should rely on clinical judgment.\n")


def article(i: int, rng: random.Random, faulty: bool) -> tuple[str, str]:
    name, roots = rng.choice(TARGETS)
    title = f"Which nerve root is responsible for {name.removeprefix('the ')}?"
    g_roots = " and ".join(roots)
    r_roots = g_roots
    term = name
    extra = []
    if faulty:
        kind = rng.randrange(4)
        if kind == 0 and "dorsiflexion" in name:
            term = "plantar dorsiflexion"
        elif kind == 1:
            wrong = rng.choice([r for r in ("L2", "L3", "S1", "C4", "C8", "T1") if r not in roots])
            r_roots = wrong
        elif kind == 2:
            extra.append(f"The {rng.choice(['L1', 'S2', 'C3'])} root is also associated with {name} 2.")
        else:
            extra.append(f"According to the evidence provided by 1 and 1, {name} should be tested early.")
    body = [title, "", BOILER, "From the Guidelines", ""]
    para = [f"The nerve root primarily responsible for {term} is {g_roots} 1."]
    para += rng.sample(FILLER, rng.randint(6, 12))
    body += [" ".join(para), "", "Key points to consider in the examination include:", ""]
    for n, r in rng.sample(TARGETS, 3):
        body.append(f"  • Assessment of {n} for {' and '.join(r)} nerve root function")
    body += ["", "From the Research", "", f"Nerve Roots Responsible for {name.capitalize()}", ""]
    body.append(f"  • {name.capitalize()} is associated with the {r_roots} roots, as shown by stimulation studies 2.")
    for _ in range(rng.randint(10, 22)):
        body.append("  • " + rng.choice(FILLER).rstrip(".") + f" {rng.randint(1, 3)}.")
    body += [f"  • {x}" for x in extra]
    body += ["", "References", "", "Guideline", "", "Guideline Directed Topic Overview", "",
             "Medical Advisory Board & Editors, 2025", "", "Research", "",
             f"Stimulation of lumbar and cervical roots and the {name}.", "", "Journal of Studies, 2019", "",
             "Research", "", "Outcomes after decompressive surgery.", "", "Spine Journal, 2021", "", DISCLAIMER]
    return f"article-{i:05d}", "\n".join(body)


def generate(out: Path, n: int, faulty: float = 0.3, jsonl: bool = False, seed: int = 7) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    if jsonl:
        path = out / "export.jsonl"
        with path.open("w") as f:
            for i in range(n):
                aid, text = article(i, rng, rng.random() < faulty)
                title, _, body = text.partition("\n")
                f.write(json.dumps({"id": aid, "title": title, "status": "approved", "body": body}) + "\n")
        return path
    for i in range(n):
        aid, text = article(i, rng, rng.random() < faulty)
        (out / f"{aid}.txt").write_text(text)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--faulty", type=float, default=0.3)
    p.add_argument("--jsonl", action="store_true")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    print(generate(Path(a.out), a.n, a.faulty, a.jsonl, a.seed))
