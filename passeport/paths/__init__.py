"""Paths: the person's path (parcours) with its référent, situation at entry, diagnostic
of freins périphériques, objectives and actions, timeline, and progressive work hours."""
