"""The normalized host model: meaning, not files or output formats."""
