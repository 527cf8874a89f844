"""Synchronisation with the national SP4N-LAPOR! service (see the sync-engine issue)."""
