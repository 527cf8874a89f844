"""Attachments: files checked by their content and stored once under their SHA-256."""
