"""What work orders announce to the apps above them. Workorders imports none of those
apps: they subscribe in their ``AppConfig.ready`` (teams takes a settled order's visit
off the crews' routes).
"""

from __future__ import annotations

from django.dispatch import Signal

# An order needs no more field work: it was resolved (by its unit's staff, a crew on its
# route, or from a phone), closed, or cancelled (a merge cancels the duplicate). Sent by
# ``services.common.save_order`` inside the writer's transaction, once the row is written,
# with ``order`` (the WorkOrder as written). A receiver that locks rows of its own should
# defer that work with ``transaction.on_commit``: the writer holds the order's row lock, and
# a writer of the receiver's rows may be waiting for it.
workorder_settled = Signal()
