"""ESF+ reporting: operations, participations, the common indicators of Regulation (EU)
2021/1057 computed from the path, data quality, exports and privacy-safe aggregates."""
