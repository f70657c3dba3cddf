"""The ESF+ impact dashboard counts the badges the organisation issued (not revoked)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from passeport.reporting.impact import badges_issued
from passeport.skills.services import award_revoke

pytestmark = pytest.mark.django_db


def test_impact_dashboard_counts_badges_issued(pro_client, org, actor, award):
    assert badges_issued(org.pk) == [("Accueil du public", 1)]
    html = pro_client.get(reverse("reporting:impact")).content.decode()
    assert "Badges délivrés" in html
    assert "<th scope=\"row\">Accueil du public</th><td>1</td>" in html
    award_revoke(actor=actor, award_uid=award.uid, reason="Erreur de personne")
    assert badges_issued(org.pk) == []
    assert "Aucun badge délivré pour le moment." in pro_client.get(reverse("reporting:impact")).content.decode()
