"""Curated profile tables shipped with sistermatch (CSV files; see README.md here)."""
