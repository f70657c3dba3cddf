"""Pages of the rupture app (included at the site root by passeport/web/urls.py)."""

urlpatterns: list = []
