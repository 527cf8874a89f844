"""Storage: the SQLAlchemy schema, the database connection rules and migrations."""
