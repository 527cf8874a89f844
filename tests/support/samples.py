"""Realistic sample complaints for the sample office, Kabupaten Lingga (2104)."""

from __future__ import annotations

import dataclasses

from lapor_desktop.domain.complaint import ComplaintForm

OFFICE_CODE = "2104"
OFFICE_NAME = "Pemerintah Kabupaten Lingga"
LINGGA_DISTRICT = "210402"  # Lingga, whose capital is Daik


def valid_form(**changes: object) -> ComplaintForm:
    form = ComplaintForm(
        classification="pengaduan",
        title="Jalan rusak di Daik",
        description="Jalan utama menuju pelabuhan Daik berlubang besar sejak tiga bulan lalu.",
        incident_date="2026-11-20",
        region_code=LINGGA_DISTRICT,
        location_text="Jalan Pelabuhan, dekat pasar",
        category_code="",
        agency_code="2104-DPUPR",
        channel="tatap_muka",
        full_name="Siti Aminah",
        nik="2104014508900001",
        phone="081234567890",
        email="siti.aminah@example.id",
        address="Jl. Merdeka No. 5, Daik",
    )
    return dataclasses.replace(form, **changes)  # type: ignore[arg-type]
