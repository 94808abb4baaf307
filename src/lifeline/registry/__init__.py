"""Registry: the area tree, buildings, households, people, vulnerabilities, facilities, units."""
