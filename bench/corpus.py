"""Realistic complaint text for benchmarks: Indonesian phrases a district desk hears daily."""

from __future__ import annotations

import random

SUBJECTS = [
    (
        "Jalan rusak",
        "Jalan {place} berlubang dan tergenang air setiap hujan, membahayakan pengendara.",
    ),
    (
        "Air bersih tidak mengalir",
        "Air PDAM di {place} tidak mengalir sejak {n} hari, warga membeli air galon.",
    ),
    (
        "Listrik padam",
        "Listrik di {place} sering padam lebih dari {n} jam tanpa pemberitahuan PLN.",
    ),
    (
        "Guru jarang hadir",
        "Guru di sekolah dasar {place} jarang hadir sehingga murid belajar sendiri.",
    ),
    (
        "Pelayanan puskesmas lambat",
        "Antrian di puskesmas {place} sangat panjang, dokter datang terlambat.",
    ),
    (
        "Bantuan sosial tidak tepat sasaran",
        "Bantuan sosial di {place} diterima keluarga mampu, warga miskin tidak.",
    ),
    (
        "KTP elektronik belum jadi",
        "Sudah {n} bulan mengurus KTP elektronik di Disdukcapil belum juga selesai.",
    ),
    (
        "Kapal penyeberangan terlambat",
        "Jadwal kapal dari {place} ke Tanjungpinang sering terlambat tanpa kabar.",
    ),
    ("Sampah menumpuk", "Sampah di pasar {place} menumpuk dan berbau, tidak diangkut {n} minggu."),
    ("Pungutan liar", "Ada pungutan tanpa kuitansi saat mengurus surat di kantor desa {place}."),
    (
        "Lampu jalan mati",
        "Lampu penerangan jalan di {place} mati sudah {n} bulan, rawan kejahatan.",
    ),
    (
        "Nelayan kesulitan solar",
        "Nelayan di {place} kesulitan mendapat solar bersubsidi untuk melaut.",
    ),
    ("Sinyal telepon hilang", "Sinyal telepon dan internet di {place} hilang sejak menara rusak."),
    ("Dermaga rusak", "Dermaga {place} rapuh dan berbahaya saat bongkar muat barang."),
    ("Obat habis di puskesmas", "Obat untuk penyakit kronis di puskesmas {place} sering habis."),
    ("Beasiswa terlambat cair", "Beasiswa siswa kurang mampu di {place} terlambat cair {n} bulan."),
]
PLACES = [
    "Daik",
    "Dabo",
    "Senayang",
    "Pancur",
    "Sungai Buluh",
    "Resang",
    "Kerandin",
    "Penuba",
    "Tanjung Kelit",
    "Mepar",
    "Sergang",
    "Posek",
    "Bakung",
    "Marok Tua",
    "Limbung",
    "Tinjul",
]
DISTRICTS = [
    "210401",
    "210402",
    "210403",
    "210404",
    "210405",
    "210406",
    "210407",
    "210408",
    "210409",
    "210410",
    "210411",
    "210412",
    "210413",
]
CLASSIFICATIONS = ["pengaduan"] * 7 + ["aspirasi"] * 2 + ["permintaan_informasi"]
STATUSES = ["queued"] * 2 + [
    "sent",
    "verified",
    "forwarded",
    "followed_up",
    "finished",
    "finished",
    "archived",
]


def complaint_text(rng: random.Random) -> tuple[str, str, str, str]:
    """(title, description, location_text, district) for one plausible complaint."""
    title, template = rng.choice(SUBJECTS)
    place = rng.choice(PLACES)
    n = rng.randint(2, 12)
    description = template.format(place=place, n=n)
    if rng.random() < 0.5:
        description += " " + rng.choice(SUBJECTS)[1].format(place=rng.choice(PLACES), n=n)
    return f"{title} di {place}", description, f"Desa {place}", rng.choice(DISTRICTS)
