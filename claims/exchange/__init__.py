"""Exchange: data in and out of the tracker in bulk — the bundle import, the
archive, and the intake and export formats. Imports the domain only."""
