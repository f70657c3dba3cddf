"""The personal space of the person accompanied, "Mon passeport": invitation, their
path in plain words, co-construction with their référent, consents and access log."""
