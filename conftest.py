pytest_plugins = ["lifeline.testing.fixtures"]
