"""Readers that turn files, feeds and archives into Documents, and the cleaning, language and dedup stages."""
