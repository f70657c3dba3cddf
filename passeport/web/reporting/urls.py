"""Pages of the reporting app (included at the site root by passeport/web/urls.py)."""

urlpatterns: list = []
