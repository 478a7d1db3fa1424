"""Parsers: syntax only. Each turns one file into a document with positions and findings."""
