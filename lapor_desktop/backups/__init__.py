"""Backups of the desk's database: taken, checked, rotated, restored; and the start-up check.

A SQLite desk's backups are checked copies of its file; a PostgreSQL desk's are
``pg_dump`` archives of the office database, restored only into an empty database.
"""
