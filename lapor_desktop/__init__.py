"""LAPOR! Desktop core: the offline-first complaint desk, without Qt and without network."""

__version__ = "0.1.0"
