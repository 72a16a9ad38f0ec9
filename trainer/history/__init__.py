"""History: SQLite store, records, resume, recorder, stats and the queries both faces use."""
