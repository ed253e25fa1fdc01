"""The application floor: between the faces (cli/, tui/) and the parts (store/, sources/,
triage/). One runtime resolves the configuration, the user, the store and the pipeline
once; one ingest service stores what the sources bring; the headless services (watch,
outbox, alerts ledger, settings) live here, with no screen code."""
