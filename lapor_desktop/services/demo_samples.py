"""Sample complaints for the training desk: what a Lingga front desk hears in a week."""

from __future__ import annotations

import dataclasses
import datetime as dt

from lapor_desktop.domain.complaint import ComplaintForm

_BASE = ComplaintForm(
    classification="pengaduan",
    region_code="210402",
    agency_code="2104-DPUPR",
    channel="tatap_muka",
    anonim=False,
    rahasia=False,
)


def sample_forms(today: dt.date) -> list[ComplaintForm]:
    """Varied on purpose: named, anonymous, confidential, an aspiration, an information request."""

    def days_ago(n: int) -> str:
        return (today - dt.timedelta(days=n)).isoformat()

    return [
        dataclasses.replace(
            _BASE,
            title="Jalan rusak menuju pelabuhan Daik",
            description="Jalan utama menuju pelabuhan Daik berlubang besar sejak tiga bulan lalu "
            "dan membahayakan pengendara motor, terutama saat hujan.",
            incident_date=days_ago(12),
            location_text="Jalan Pelabuhan, dekat pasar",
            full_name="Siti Aminah",
            nik="2104014508900001",
            phone="081234567890",
            address="Jl. Merdeka No. 5, Daik",
        ),
        dataclasses.replace(
            _BASE,
            title="Air PDAM tidak mengalir di Dabo",
            description="Sudah seminggu air PDAM tidak mengalir di rumah warga Kelurahan Dabo; "
            "warga terpaksa membeli air galon setiap hari.",
            incident_date=days_ago(7),
            region_code="210401",
            location_text="Kelurahan Dabo",
            anonim=True,
            phone="082112345678",
        ),
        dataclasses.replace(
            _BASE,
            title="Pungutan tanpa kuitansi di kantor desa",
            description="Saat mengurus surat pengantar, warga dimintai uang tanpa kuitansi oleh "
            "petugas kantor desa.",
            incident_date=days_ago(3),
            agency_code="2104-INSPEKTORAT",
            rahasia=True,
            full_name="Rahmat Hidayat",
            phone="081377788899",
        ),
        dataclasses.replace(
            _BASE,
            classification="aspirasi",
            title="Tambah jadwal kapal ke Tanjungpinang",
            description="Mohon jadwal kapal penyeberangan dari Dabo ke Tanjungpinang ditambah "
            "pada akhir pekan karena penumpang selalu penuh.",
            incident_date="",
            agency_code="2104-DISHUB",
            channel="surat",
            full_name="Budi Santoso",
            email="budi.santoso@example.id",
        ),
        dataclasses.replace(
            _BASE,
            classification="permintaan_informasi",
            title="Syarat beasiswa siswa kurang mampu",
            description="Warga menanyakan syarat dan jadwal pendaftaran beasiswa untuk siswa "
            "kurang mampu tahun ini.",
            incident_date="",
            agency_code="2104-DISDIK",
            channel="telepon",
            full_name="Nur Aisyah",
            phone="085265554433",
        ),
    ]
