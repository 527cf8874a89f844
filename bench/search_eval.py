"""Recall and precision of the desk's search, before (exact index) and after (word index).

The complaints are generated here from templates (no real person, no outside
data): each topic is told with the variants a desk sees (affixes,
reduplication, hyphens, abbreviations, synonyms), and a query's relevant
complaints are those of its topic. Both searches run on the same database:
today's is the exact index's every-word-as-a-prefix match (the search before
schema 0005), the new one is ``LookupService.find``.

    .venv/bin/python -m bench.search_eval            # --per-topic 30 --seed 19
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from pathlib import Path

from sqlalchemy import text

from lapor_desktop.desk import Desk, FirstSupervisor, initialise
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.accounts import SignedIn
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.search import tokens
from tests.support.samples import valid_form

TOPICS: dict[str, list[str]] = {
    "road": [
        "Jalan rusak parah",
        "Jl rusak dan licin",
        "Kerusakan jalan makin parah",
        "Jalan berlubang besar",
        "Jln bolong dalam",
        "Jalan-jalan desa rsk berat",
        "Aspal jalan rusak",
        "Jalanan rusak tidak diaspal",
    ],
    "flood": ["Rumah warga kebanjiran", "Banjir setinggi lutut", "Kampung kebanjiran lagi"],
    "jam": ["Kemacetan panjang setiap pagi", "Lalu lintas macet total", "Macet di simpang pasar"],
    "trash": [
        "Sampah2 menumpuk",
        "Sampah-sampah tidak diangkut",
        "Tumpukan sampah berbau",
        "Sampah menumpuk di TPS",
    ],
    "ektp": [
        "E-KTP belum dicetak",
        "KTP-el belum jadi",
        "Ektp hilang belum diganti",
        "KTP elektronik belum selesai",
    ],
    "pju": [
        "PJU mati",
        "Lampu jalan mati total",
        "Lampu penerangan jalan padam",
        "LPJU tidak menyala",
    ],
    "birth": ["Akta kelahiran anak belum terbit", "Akte lahir salah nama", "Akta lahir belum jadi"],
    "levy": ["Pungli di kantor desa", "Pungutan liar saat mengurus surat", "Ada pungli parkir"],
    "drain": ["Selokan mampet", "Saluran air tersumbat", "Got mampet dan meluap"],
    "tree": [
        "Pohon tumbang menutup jalan setapak",
        "Pohon roboh menimpa kabel",
        "Pohon besar tumbang",
    ],
    "repair": [
        "Perbaikan jembatan belum selesai",
        "Jembatan belum diperbaiki",
        "Mohon memperbaiki jembatan",
        "Jembatan perlu perbaikan segera",
    ],
    "good": [
        "Pelayanan puskesmas baik sekali",
        "Petugas baik dan ramah",
        "Terima kasih pelayanan baik",
    ],
    "aid": ["Bansos tidak tepat sasaran", "Bantuan sosial belum diterima", "Bansos dipotong oknum"],
    "parking": ["Jukir liar meminta uang", "Juru parkir memaksa bayar", "Jukir tanpa karcis"],
}
FILLER = [
    "Mohon segera ditindaklanjuti.",
    "Warga sudah melapor ke kantor desa.",
    "Kejadian sejak minggu lalu.",
    "Kami berharap ada tanggapan.",
    "Terima kasih.",
]
PLACES = ["Daik", "Dabo", "Senayang", "Pancur", "Sungai Buluh", "Tanjung Buton"]

HOLES = ("lubang", "bolong")
"""Only the road complaints that tell of holes are relevant to ``jalan lubang``."""

QUERIES: list[tuple[str, str, set[str]]] = [
    ("base", "jalan rusak", {"road"}),
    ("base", "banjir", {"flood"}),
    ("base", "sampah", {"trash"}),
    ("base", "pohon", {"tree"}),
    ("morphology", "kerusakan jalan", {"road"}),
    ("morphology", "jalan lubang", {"road"}),
    ("morphology", "kebanjiran", {"flood"}),
    ("morphology", "kemacetan", {"jam"}),
    ("morphology", "diperbaiki", {"repair"}),
    ("morphology", "memperbaiki", {"repair"}),
    ("morphology", "perbaikan", {"repair"}),
    ("morphology", "sampah menumpuk", {"trash"}),
    ("vocabulary", "jln berlubang", {"road"}),
    ("vocabulary", "jln rsk", {"road"}),
    ("vocabulary", "pju mati", {"pju"}),
    ("vocabulary", "akte lahir", {"birth"}),
    ("vocabulary", "akta lahir", {"birth"}),
    ("vocabulary", "pungli", {"levy"}),
    ("vocabulary", "mampet", {"drain"}),
    ("vocabulary", "pohon tumbang", {"tree"}),
    ("vocabulary", "bansos", {"aid"}),
    ("vocabulary", "jukir", {"parking"}),
    ("hyphen", "ektp", {"ektp"}),
    ("hyphen", "e-ktp", {"ektp"}),
    ("hyphen", "ktp-el", {"ektp"}),
    ("hyphen", "sampah2", {"trash"}),
]
bodies: dict[str, str] = {}
"""Each generated complaint's text, lower case (for the finer judgements)."""
SUPERVISOR = FirstSupervisor("kepala", "Evaluasi", "Daik-Lingga-2104!")


def fill(
    desk: Desk, actor: Actor, per_topic: int, seed: int
) -> tuple[dict[str, str], tuple[str, str]]:
    """Complaints per topic (uuid -> topic), and one meter number quoted in one text."""
    rng = random.Random(seed)
    topic_of: dict[str, str] = {}
    bodies.clear()
    meter = ("", "")
    for topic, variants in TOPICS.items():
        for n in range(per_topic):
            title = rng.choice(variants)
            body = f"{rng.choice(variants)} di {rng.choice(PLACES)}. {rng.choice(FILLER)}"
            number = str(rng.randint(10**10, 10**11)) if topic == "pju" and n == 0 else ""
            if number:
                body += f" Nomor meter {number}."
            form = valid_form(title=title, description=body + " " + rng.choice(FILLER))
            outcome = desk.intake.submit(form, actor=actor)
            assert outcome.queued, outcome.issues
            if number:
                meter = (number, outcome.uuid)
            topic_of[outcome.uuid] = topic
            bodies[outcome.uuid] = f"{title} {body}".lower()
    return topic_of, meter


def exact_search(desk: Desk, query: str) -> set[str]:
    """Today's search: every token as a prefix in the exact FTS5 index."""
    fts = " ".join('"' + w.replace('"', "") + '"*' for w in tokens(query))
    with desk.database.read() as session:
        rows = session.execute(
            text(
                "SELECT uuid FROM complaints WHERE id IN "
                "(SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH :q)"
            ),
            {"q": fts},
        )
        return {r[0] for r in rows}


def scores(found: set[str], relevant: set[str]) -> tuple[float, float]:
    hits = len(found & relevant)
    return hits / len(relevant), (hits / len(found) if found else 1.0)


def evaluate(per_topic: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        paths = DataPaths(Path(folder) / "data")
        os.environ.setdefault("LAPOR_MACHINE_KEY_FILE", str(Path(folder) / "machine.key"))
        office = OfficeSettings(office_code="2104", office_name="Pemerintah Kabupaten Lingga")
        desk = initialise(paths.ensure(), office, supervisor=SUPERVISOR)
        try:
            signed = desk.sign_in(SUPERVISOR.username, SUPERVISOR.password)
            assert isinstance(signed, SignedIn), signed
            actor = signed.principal.actor
            topic_of, meter = fill(desk, actor, per_topic, seed)
            rows: list[Row] = []
            for group, query, topics in QUERIES:
                relevant = {u for u, t in topic_of.items() if t in topics}
                if query in ("jalan lubang", "jln berlubang"):
                    relevant = {u for u in relevant if any(h in bodies[u] for h in HOLES)}
                found_new = {
                    s.uuid
                    for s in desk.lookup.find(ComplaintQuery(text=query, limit=5000), actor=actor)
                }
                old_r, old_p = scores(exact_search(desk, query), relevant)
                new_r, new_p = scores(found_new, relevant)
                rows.append((group, query, len(relevant), old_r, old_p, new_r, new_p))
            # Before, 9+ digits typed by a role that sees identities searched identities only.
            quoted = {s.uuid for s in desk.lookup.find(ComplaintQuery(text=meter[0]), actor=actor)}
            rows.append(("number", meter[0], 1, 0.0, 1.0, *scores(quoted, {meter[1]})))
        finally:
            desk.close()
    return report(rows, len(topic_of))


Row = tuple[str, str, int, float, float, float, float]


def report(rows: list[Row], total: int) -> dict[str, object]:
    print(f"{total} complaints, {len(rows)} queries")
    print(f"{'group':<11} {'query':<18} {'rel':>4}  today R/P    new R/P")
    for group, query, rel, o_r, o_p, n_r, n_p in rows:
        print(f"{group:<11} {query:<18} {rel:>4}  {o_r:.2f}/{o_p:.2f}  {n_r:.2f}/{n_p:.2f}")
    summary: dict[str, object] = {"complaints": total}
    for group in dict.fromkeys(r[0] for r in rows):
        picked = [r for r in rows if r[0] == group]
        columns = [[r[3] for r in picked], [r[4] for r in picked], [r[5] for r in picked]]
        columns.append([r[6] for r in picked])
        mean = [round(sum(c) / len(c), 3) for c in columns]
        names = ("today_recall", "today_precision", "recall", "precision")
        summary[group] = dict(zip(names, mean, strict=True))
        print(
            f"{group:<11} mean: today {mean[0]:.2f}/{mean[1]:.2f}  new {mean[2]:.2f}/{mean[3]:.2f}"
        )
    return summary


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-topic", type=int, default=30)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)
    summary = evaluate(args.per_topic, args.seed)
    print(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
