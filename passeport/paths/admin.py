# Paths hold personal data: they are read through the pages and the API only, where
# consent is checked and every read is audited, never through the Django admin.
