"""Models of the rupture app."""
