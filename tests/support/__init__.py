"""Real servers for tests and benchmarks, started on loopback and thrown away afterwards."""
