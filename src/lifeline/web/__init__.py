"""Web: base templates, navigation, login, shared htmx partials and static files."""
