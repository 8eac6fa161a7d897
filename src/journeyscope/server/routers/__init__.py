"""One router per resource: reports, customers, identity, maps, keys, health."""
