"""Offline bundles: the outbox sealed into files a person carries (docs/bundles.md).

``envelope`` seals and opens one bundle, ``volumes`` cuts it into files and joins them
back; the trips (export, relay, return) build on these two.
"""
