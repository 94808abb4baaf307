"""The cluster benchmark: its mix weighs the operations as a day does, it refuses to run
without a cluster, and at toy size on one server (``--single-only``: a bench database of
its own, a real gunicorn, the load over HTTP) every operation of the mix succeeds."""

from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from lifeline.bench import cluster
from lifeline.bench._cluster_mix import ROLES, WEIGHTS, Mix


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cluster.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_mix_weighs_the_operations_as_a_day_does() -> None:
    # Given the mix, when it draws 20,000 operations
    mix = Mix(seed={}, backlog=[])
    drawn = mix.operations(random.Random(1), 20_000)
    # Then each operation's share is its weight, and each is sent with a role's token
    assert sum(WEIGHTS.values()) == 100 and set(ROLES) == set(WEIGHTS)
    for op, weight in WEIGHTS.items():
        assert abs(drawn.count(op) / 200 - weight) < 1.5, op


def test_without_a_running_cluster_it_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="lifeline cluster up"):
        cluster.run(_args("--base-dir", str(tmp_path)))


def test_on_one_server_every_operation_of_the_mix_succeeds() -> None:
    # Given a toy city in a bench database of its own and one gunicorn on it
    out = io.StringIO()
    # When the mix runs against it for a few seconds
    call_command(
        "bench",
        "cluster",
        "--single-only",
        "--seconds=4",
        "--rounds=1",
        "--clients=2",
        "--warmup=1",
        "--people-per-grid=2",
        "--tubes=6",
        "--passes=5",
        stdout=out,
    )
    # Then the last line is the figures, of the single server alone
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["bench"] == "cluster" and figures["mode"] == "single_only"
    assert list(figures["targets"]) == ["single"]
    assert "2 workers x 4 threads" in figures["single_server"]
    single = figures["targets"]["single"]
    operations = single["operations"]
    assert list(operations) == list(WEIGHTS)
    assert single["requests"] == sum(op["requests"] for op in operations.values()) > 0
    assert single["requests_per_second"] > 0
    # and every operation answered, none with a server error or no answer at all
    for name, op in operations.items():
        assert op["ok"] > 0, name
        assert not [s for s in op["errors"] if s == "0" or s.startswith("5")], (name, op)
        assert 0 < op["p50_ms"] <= op["p95_ms"] <= op["p99_ms"], name
    # and did what it says: passes verified as valid, the labs' results imported
    assert operations["pass_check"]["outcomes"] == {"pass_ok": operations["pass_check"]["ok"]}
    assert operations["results"]["outcomes"]["tubes_imported"] > 0
