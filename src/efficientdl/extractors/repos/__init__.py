"""Extractors for model-zoo repositories and structured spreadsheets."""
