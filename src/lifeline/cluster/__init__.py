"""A rehearsed production topology on one machine, and the failure drills run against it
(``lifeline cluster up|down|status|drill``)."""
