"""Settings live in one module per environment: local, test, production."""
