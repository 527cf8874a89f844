"""Validation of what the operator typed: every issue names its field and says what is wrong."""
