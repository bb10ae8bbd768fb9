"""Running MLP Explorer for a class too large for one server: replicas, nginx, PostgreSQL (see docs/classroom.md)."""
