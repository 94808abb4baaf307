pytest_plugins = ["lifeline.testing.fixtures", "lifeline.testing.response_capture"]
