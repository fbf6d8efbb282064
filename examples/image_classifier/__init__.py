"""A small image classifier trained with a custom loop (example code for flake8-hybrid)."""
