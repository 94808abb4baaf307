"""Who may do what in screening, and where: a permission of
``lifeline.accounts.permissions`` held at the place of the object touched, through the
membership that grants it (``lifeline.accounts.scoping``). A user who is community staff in
one grid and a sampler city-wide samples city-wide, and plans and reads lists in that
grid only.

- ``SCREENING_PLAN`` at the area: create and change policies, rounds, sites and sessions;
  the areas, grids, people, enterprises and policies a plan names must lie where the
  actor plans.
- ``SCREENING_SAMPLE`` where the person and the tube are: register a swab, close a tube.
  A sampler finds the people it swabs through this permission (it holds no
  ``registry.view``), one scanned code at a time, and sees the policies, rounds, sites
  and sessions of its area (the models' ``SCOPE_PERMISSION``): where and when to sample.
- ``SCREENING_RESULTS`` where the tube is: import a lab's results. A tube outside the
  grant is answered like a barcode that does not exist.
- ``SCREENING_VIEW`` at the area: every list naming people (not tested today, not
  compliant, pending recheck, yellow code, door to door), the counts, round progress and
  recheck tasks.
- The daily review adds up tubes and samples and names no one: it counts them where the
  actor holds any of ``SCREENING_VIEW``, ``SCREENING_SAMPLE`` or ``SCREENING_RESULTS``,
  so samplers and labs follow their own day.

What a lab sees: tubes and tube results inside its grant (barcodes, states and times in
the import; in the daily review, samples and tubes counted per session and site, the
turnaround and the backlog), never a person, a name, a list of people or the registry. A
result names a tube; the person results it yields are written by the import, not shown to
the lab.

Refusals follow ``accounts.scoping.require``: a place no membership of the actor covers is
unknown (404); a place covered by a membership that does not grant the permission is
forbidden (403). Objects are fetched for an action with ``accounts.scoping.get_for`` (the
object's ``area_path`` is its place), areas with ``registry.tree.area_get``. Lookups by ID
number never answer 403, so they cannot tell that a person exists.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# What a refusal says when a membership covers the place but grants something else (the
# ``denied`` of ``accounts.scoping.get_for``).
DENIED = _("Your role may not do this.")
