"""Test support: real servers and sample data, shared by the test modules."""
