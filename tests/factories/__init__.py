"""factory_boy factories for the project, built on Oscar's own where they exist."""
