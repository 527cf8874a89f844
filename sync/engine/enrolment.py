"""After a pass that reached the service: register this desk's bundle keys, learn the service's.

An island desk may never see the network again once it leaves the regency office, so the
keys its bundles need are settled at the first good pass: the service learns the desk's
public signing and sealing keys (``PUT /v1/device-keys``), the desk learns the service's
sealing key (``GET /v1/bundle-key``, signed by a receipt key it trusts). A route without
bundle calls, or an answer that does not check out, changes nothing and never fails a pass.
"""

from __future__ import annotations

from lapor_desktop.services.sync_store import SyncStore
from sync.adapters.bundle_route import NationalBundleKey, bundle_route
from sync.adapters.service import NationalService


def enrol(service: NationalService, store: SyncStore) -> bool:
    """Settle what is still missing; True when this call learned or registered something."""
    route = bundle_route(service)
    if route is None:
        return False
    enrolment = store.bundle_enrolment()
    registered = None
    keys = (enrolment.signing_key, enrolment.sealing_key)
    if not enrolment.registered and route.register_device_keys(*keys) is None:
        registered = enrolment.key_id
    national = None
    if enrolment.national_key is None:
        key = route.bundle_key()
        if isinstance(key, NationalBundleKey):
            national = key.key
    if registered is None and national is None:
        return False
    store.enrolled(registered_key_id=registered, national_key=national)
    return True
