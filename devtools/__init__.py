"""Developer tools: the corpus generator, the benchmark and the soak run. Installed
by the local and test settings, never by production."""
