from django.db import models
from django.utils.translation import gettext_lazy as _


class OidcProvider(models.TextChoices):
    PRO = "pro", _("Fournisseur d'identité des professionnels (ProConnect)")
    PERSON = "person", _("Fournisseur d'identité des personnes (FranceConnect)")
