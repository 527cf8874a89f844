"""The LAPOR! v1 wire protocol: messages, their JSON form, receipts and tus details.

No HTTP here: the adapter (``sync.adapters``) and the reference server
(``sync.reference_server``) both build on these definitions. See
``docs/protocol.md`` and ``docs/openapi.yaml``.
"""
