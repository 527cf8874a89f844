"""A practice copy of the LAPOR! report form, served by the reference server in training mode.

Front-desk staff practise the website lane here (copy each field from the
desk, paste it into the form, copy the tracking ID back) without touching
the real lapor.go.id, and the tests drive the lane end to end against it.
The page is marked LATIHAN everywhere; its tracking IDs start at 9,000,001.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, abort, render_template_string, request

from sync.reference_server.practice_records import PracticeRecords, PracticeReport
from sync.reference_server.state import ServerState

PRACTICE_PATH = "/latihan/lapor"
CLASSIFICATIONS = ("Pengaduan", "Aspirasi", "Permintaan Informasi")
MAX_TITLE = 150
MAX_STORY = 10_000

_STYLE = """
body { font-family: sans-serif; max-width: 860px; margin: 0 auto; padding: 0 16px; }
.latihan { background: #b45309; color: white; padding: 8px 12px; font-weight: bold; }
label { display: block; margin-top: 12px; font-weight: bold; }
input[type=text], input[type=date], textarea, select { width: 100%; padding: 6px; }
textarea { height: 10em; }
.privacy { border: 2px solid #b45309; padding: 8px; margin-top: 12px; }
.privacy label { display: inline; font-weight: normal; margin-right: 24px; }
.error { color: #b91c1c; }
.tracking { font-size: 1.6em; font-weight: bold; }
"""

_FORM = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>LATIHAN - Sampaikan Laporan Anda</title>
<style>{{ style }}</style></head><body>
<p class="latihan">LATIHAN / PRACTICE - ini bukan situs LAPOR! yang asli; laporan tidak dikirim
ke mana pun.</p>
<h1>Sampaikan Laporan Anda</h1>
{% if errors %}<ul class="error">{% for e in errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}
<form method="post" enctype="multipart/form-data" action="{{ path }}">
<label for="klasifikasi">Pilih klasifikasi laporan</label>
<select id="klasifikasi" name="klasifikasi">
{% for c in classifications %}<option{% if c == form.klasifikasi %} selected{% endif %}>{{ c }}
</option>{% endfor %}
</select>
<label for="judul">Ketik judul laporan Anda</label>
<input type="text" id="judul" name="judul" maxlength="{{ max_title }}" value="{{ form.judul }}">
<label for="isi">Ketik isi laporan Anda</label>
<textarea id="isi" name="isi" maxlength="{{ max_story }}">{{ form.isi }}</textarea>
<label for="tanggal">Pilih tanggal kejadian</label>
<input type="date" id="tanggal" name="tanggal" value="{{ form.tanggal }}">
<label for="lokasi">Ketik lokasi kejadian</label>
<input type="text" id="lokasi" name="lokasi" value="{{ form.lokasi }}">
<label for="instansi">Ketik instansi tujuan</label>
<input type="text" id="instansi" name="instansi" list="instansi-list" value="{{ form.instansi }}">
<datalist id="instansi-list">
{% for a in agencies %}<option value="{{ a }}">{% endfor %}</datalist>
<label for="kategori">Pilih kategori laporan Anda</label>
<input type="text" id="kategori" name="kategori" list="kategori-list" value="{{ form.kategori }}">
<datalist id="kategori-list">
{% for c in categories %}<option value="{{ c }}">{% endfor %}</datalist>
<label for="lampiran">Upload lampiran</label>
<input type="file" id="lampiran" name="lampiran" multiple>
<div class="privacy">
<input type="checkbox" id="anonim" name="anonim" value="1"
{% if form.anonim %} checked{% endif %}>
<label for="anonim">Anonim (nama Anda tidak terlihat oleh publik)</label>
<input type="checkbox" id="rahasia" name="rahasia" value="1"
{% if form.rahasia %} checked{% endif %}>
<label for="rahasia">Rahasia (laporan Anda tidak dapat dilihat oleh publik)</label>
</div>
<p><button type="submit">LAPOR!</button></p>
</form></body></html>
"""

_DONE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>LATIHAN - Laporan terkirim</title>
<style>{{ style }}</style></head><body>
<p class="latihan">LATIHAN / PRACTICE - ini bukan situs LAPOR! yang asli.</p>
<h1>Laporan Anda berhasil dikirim</h1>
<p>Terima kasih. Laporan Anda akan diverifikasi dalam 3 hari kerja.</p>
<p>Tracking ID: <span class="tracking" id="tracking-id">#{{ tracking_id }}</span></p>
<p>Simpan Tracking ID ini untuk memantau laporan Anda.</p>
<p><a href="{{ path }}">Sampaikan laporan lain</a></p>
</body></html>
"""


def register_practice_form(app: Flask, state: ServerState, records: PracticeRecords) -> None:
    """``GET`` the form, ``POST`` it for a tracking ID; ``GET <path>/<id>.json``: what was typed."""
    agencies = sorted(a.name for a in state.dataset.agencies)
    categories = sorted(c.name for c in state.dataset.categories)

    def page(template: str, **values: object) -> Response:
        html = render_template_string(
            template,
            style=_STYLE,
            path=PRACTICE_PATH,
            classifications=CLASSIFICATIONS,
            agencies=agencies,
            categories=categories,
            max_title=MAX_TITLE,
            max_story=MAX_STORY,
            **values,
        )
        return Response(html, mimetype="text/html")

    @app.get(PRACTICE_PATH, provide_automatic_options=False)
    def _form() -> Response:
        return page(_FORM, form={"klasifikasi": CLASSIFICATIONS[0]}, errors=())

    @app.post(PRACTICE_PATH, provide_automatic_options=False)
    def _submit() -> Response:
        form = {name: request.form.get(name, "").strip() for name in _TEXT_FIELDS}
        form["isi"] = request.form.get("isi", "").strip()
        errors = _problems(form)
        if errors:
            response = page(_FORM, form=form | _flags(), errors=errors)
            response.status_code = 422
            return response
        files = [f for f in request.files.getlist("lampiran") if f.filename]
        sizes = [len(f.read()) for f in files]
        report = PracticeReport(
            classification=form["klasifikasi"],
            title=form["judul"],
            story=form["isi"],
            incident_date=form["tanggal"],
            location=form["lokasi"],
            agency=form["instansi"],
            category=form["kategori"],
            anonymous=_flags()["anonim"],
            confidential=_flags()["rahasia"],
            attachment_names=tuple(str(f.filename) for f in files),
            attachment_bytes=sum(sizes),
        )
        tracking_id = records.add(report, state.now())
        return page(_DONE, tracking_id=tracking_id)

    @app.get(f"{PRACTICE_PATH}/<int:tracking_id>.json", provide_automatic_options=False)
    def _typed(tracking_id: int) -> dict[str, object]:
        stored = records.get(tracking_id)
        if stored is None:
            abort(404)
        report = stored.report
        return {
            "tracking_id": stored.tracking_id,
            "submitted_at": stored.submitted_at.isoformat(),
            "klasifikasi": report.classification,
            "judul": report.title,
            "isi": report.story,
            "tanggal": report.incident_date,
            "lokasi": report.location,
            "instansi": report.agency,
            "kategori": report.category,
            "anonim": report.anonymous,
            "rahasia": report.confidential,
            "lampiran": list(report.attachment_names),
            "lampiran_bytes": report.attachment_bytes,
        }


_TEXT_FIELDS = ("klasifikasi", "judul", "tanggal", "lokasi", "instansi", "kategori")


def _flags() -> dict[str, bool]:
    return {name: request.form.get(name) == "1" for name in ("anonim", "rahasia")}


def _problems(form: dict[str, str]) -> Sequence[str]:
    """What the real form would refuse, in its own language."""
    problems = []
    if form["klasifikasi"] not in CLASSIFICATIONS:
        problems.append("Pilih klasifikasi laporan.")
    if not form["judul"]:
        problems.append("Judul laporan wajib diisi.")
    elif len(form["judul"]) > MAX_TITLE:
        problems.append(f"Judul paling banyak {MAX_TITLE} karakter.")
    if not form["isi"]:
        problems.append("Isi laporan wajib diisi.")
    elif len(form["isi"]) > MAX_STORY:
        problems.append(f"Isi laporan paling banyak {MAX_STORY} karakter.")
    if not form["tanggal"]:
        problems.append("Tanggal kejadian wajib diisi.")
    return problems
