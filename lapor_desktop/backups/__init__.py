"""Backups of the SQLite database: taken, checked, rotated, restored; and the start-up check.

PostgreSQL desks are backed up by the office's database administrator
(``pg_dump``); everything here is for the SQLite file of a single PC.
"""
