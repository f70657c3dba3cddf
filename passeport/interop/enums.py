from django.db import models
from django.utils.translation import gettext_lazy as _

from passeport.people.enums import ConsentScope


class WebhookEvent(models.TextChoices):
    """Events a subscription can receive. Each concerns one person's passport and is
    sent only to organisations whose consent covers `EVENT_SCOPE[event]`."""

    PATH_OPENED = "path.opened", _("Parcours ouvert")
    PATH_CLOSED = "path.closed", _("Parcours terminé")
    ACTION_DUE = "action.due", _("Action à faire aujourd'hui")
    ORIENTATION_ANSWERED = "orientation.answered", _("Réponse à une orientation")
    DOCUMENT_SHARED = "document.shared", _("Document partagé")
    RUPTURE_ALERT_RAISED = "rupture.alert_raised", _("Alerte de risque de rupture")


EVENT_SCOPE = {
    WebhookEvent.PATH_OPENED: ConsentScope.PATH,
    WebhookEvent.PATH_CLOSED: ConsentScope.PATH,
    WebhookEvent.ACTION_DUE: ConsentScope.PATH,
    WebhookEvent.ORIENTATION_ANSWERED: ConsentScope.PATH,
    WebhookEvent.DOCUMENT_SHARED: ConsentScope.DOCUMENTS,
    WebhookEvent.RUPTURE_ALERT_RAISED: ConsentScope.PATH,
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SUCCEEDED = "succeeded", _("Livrée")
    FAILED = "failed", _("Échec définitif")
    CANCELLED = "cancelled", _("Annulée (accord retiré)")
