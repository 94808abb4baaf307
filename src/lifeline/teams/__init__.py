"""Field teams: door-to-door rounds and their planning."""
