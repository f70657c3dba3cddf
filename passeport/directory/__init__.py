"""Directory: French communes (geography, distances), the local offer of services in the
data·inclusion schema (import, export, search), and orientations of persons to partners."""
