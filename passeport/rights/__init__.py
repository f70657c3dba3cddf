"""Rights: the household situation, benefits estimated with OpenFisca-France, non-take-up
flags, and whole-caseload screening."""
