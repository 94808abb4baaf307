"""Route planner for door-to-door field teams (pure Python, no Django)."""
