"""The demo's pass checkpoints: on both banks of every bridge, with the checkpoint staff
login working at one of them."""

from __future__ import annotations

from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.accounts.permissions import Perm
from lifeline.demo.checkpoints import seed_demo_checkpoints
from lifeline.demo.generator import generate_city, names
from lifeline.passes import selectors
from lifeline.passes.models import Checkpoint


def test_demo_city_has_checkpoints_on_the_bridges_and_staff_assigned_to_one(db: None) -> None:
    # given a small generated demo city
    generate_city(people=300, seed=6)
    # when its checkpoints are seeded (twice: a later run changes nothing)
    line = seed_demo_checkpoints()
    seed_demo_checkpoints()
    # then each bridge has a checkpoint on both banks, run by a district bureau
    checkpoints = list(Checkpoint.objects.select_related("unit"))
    assert len(checkpoints) == 2 * len(names.BRIDGES)
    for bridge, _east in names.BRIDGES:
        assert {f"{bridge}东岸卡口", f"{bridge}西岸卡口"} <= {cp.name for cp in checkpoints}
    assert all(cp.unit is not None and cp.area_path for cp in checkpoints)
    assert str(len(checkpoints)) in line
    # and the checkpoint_staff login checks passes at exactly one of them
    staff = User.objects.get(username=Role.CHECKPOINT_STAFF)
    mine = list(selectors.checkpoint_list(actor=staff, perm=Perm.PASS_CHECK))
    assert len(mine) == 1 and mine[0].name.endswith("卡口")
    client = Client()
    client.force_login(staff)
    page = client.get("/passes/checkpoint/").content.decode()
    assert mine[0].name in page and "checkpoint_staff" not in page.split("<main>")[1]
