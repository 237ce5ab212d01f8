"""The graph behind a persistent, authenticated Agent Server API (Aegra on PostgreSQL): `pension-advisor serve`."""
