"""Every text of the intake form, in one table: labels with their mnemonics, hints, placeholders.

Mnemonics (the underlined letter, Alt+letter) are chosen per language so
that none repeats on the form; keep them unique when adding a field.
"""

from __future__ import annotations

from lapor_desktop.i18n import N_, Message

LABELS = {
    "classification": N_("&Classification"),
    "title": N_("&Title"),
    "description": N_("&Description"),
    "incident_date": N_("&Incident date"),
    "region_code": N_("&Region"),
    "location_text": N_("&Location"),
    "category_code": N_("Cate&gory"),
    "agency_code": N_("Target &agency"),
    "channel": N_("C&hannel"),
    "anonim": N_("Identity"),
    "full_name": N_("&Full name (as on the KTP)"),
    "nik": N_("NI&K"),
    "phone": N_("&Phone"),
    "email": N_("&Email"),
    "address": N_("Address"),
    "rahasia": N_("Visibility"),
}

PLACEHOLDERS = {
    "classification": N_("Choose…"),
    "title": N_("A short summary, e.g. Broken road near the harbour"),
    "description": N_("What happened, when, who was involved, and what the citizen asks for"),
    "incident_date": N_("DD/MM/YYYY"),
    "region_code": N_("Type a village, district or code"),
    "location_text": N_("Street, landmark"),
    "category_code": N_("Type to search"),
    "agency_code": N_("Type to search"),
    "nik": N_("16 digits"),
    "phone": N_("e.g. 0812 3456 7890"),
    "email": N_("name@example.com"),
}

URGENT = N_("&Urgent: send before the others when the network returns")
WITH_NAME = N_("&With name")
ANONYMOUS = N_("A&nonymous")
PUBLIC = N_("Pu&blic")
CONFIDENTIAL = N_("C&onfidential")

REPORT_BOX = N_("The report")
VISIBILITY_BOX = N_("Who may read the report")
IDENTITY_BOX = N_("The complainant")
ATTACHMENTS_BOX = N_("Attachments (evidence)")
IDENTITY_BOX_ANONYMOUS = N_("The complainant (anonymous: identity optional)")

DRAFT_KEPT = N_("Saved as a draft: {count} things to complete, marked in red.")
AUTOSAVED = N_("Draft saved automatically at {time}.")
QUEUED = N_("Saved: {number}. It will be sent to LAPOR! when the network is available.")
SPOOLED = N_(
    "Saved on this PC: {number}. The office database cannot be reached; it joins the office's "
    "list by itself when the database is back, then goes to LAPOR!."
)
SAVED_TO = {False: QUEUED, True: SPOOLED}
"""What a save says, by whether it went to this PC's spool."""
NOT_SAVED = N_("Not saved: check whether it is the same matter as the complaint shown.")
NEW_FORM_KEPT = N_("A new form. What was typed before is kept as a draft in the list.")
NOTHING_TO_SAVE = N_("Nothing to save yet: the form is empty.")

NOT_ANSWERED = Message(N_("Not answered yet: ask the citizen and choose one."))
FIELD_PROBLEM = N_("{field}: {problem}")

ANONIM_HINTS = {
    None: N_("Ask the citizen: may their name be known? Choose one."),
    False: N_("With name: the complainant's name goes with the report, so the agency can reply."),
    True: N_(
        "Anonymous: the public never learns who complained. The identity fields are "
        "optional and are never printed."
    ),
}
RAHASIA_HINTS = {
    None: N_("Ask the citizen: may the public read the report? Choose one."),
    False: N_("Public: the report appears on LAPOR! for anyone to read."),
    True: N_("Confidential: the public never sees the report; only supervisors see who sent it."),
}
