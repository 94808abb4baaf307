"""Benchmarks behind ``lifeline bench NAME``: each module defines ``add_arguments`` and ``run``."""
