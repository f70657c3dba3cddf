"""Risk of rupture: explainable signals that a person is dropping out of support, the
référent's alerts, and reminders to the person."""
