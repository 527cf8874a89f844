"""``lapor-desktop website ...``: the LAPOR! website lane from the command line.

The same workflow as the window's panel, for IT staff and scripts: the queue, starting
a submission (the lease), recording the tracking ID, statuses read on LAPOR! and route
moves. :mod:`.grammar` builds the arguments without loading a service; :mod:`.dispatch`
runs them. Each refusal has its own exit code (:mod:`.refusals`).
"""
