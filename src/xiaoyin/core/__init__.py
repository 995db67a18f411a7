"""What every domain shares: settings, database, errors, Chinese text utilities."""
