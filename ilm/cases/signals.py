"""Signals other apps listen to, so that cases need not import them.

`worker_erased`: sent inside `services.worker_erase`'s transaction, before the worker's identifiers are
destroyed, with `worker` and `identifiers` (the decrypted numbers and handles). The inbox
(ilm/channels/erasure.py) deletes the worker's conversations with it.
"""

from django.dispatch import Signal

worker_erased = Signal()
