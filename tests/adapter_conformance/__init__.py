"""The adapter conformance suite: what any ``NationalService`` adapter must do, over real HTTP.

Ours run it in ``tests/test_adapter_conformance.py``. An office's developer
points it at their own adapter and simulated service by naming an
``OpenService`` in ``LAPOR_ADAPTER_SERVICE`` and running ``run_against.py``
(see ``docs/adapters.md``). Checks that need a capability the adapter declares
it lacks are reported as skipped "not applicable", never as passed.
"""
