"""The complaint desk's domain: plain dataclasses and enums, no storage, no I/O."""
