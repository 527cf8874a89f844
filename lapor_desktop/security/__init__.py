"""Encryption at rest for complainants' identities and attachments: pure crypto, no storage."""
