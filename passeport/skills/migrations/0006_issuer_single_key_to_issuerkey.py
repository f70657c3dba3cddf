"""Data: each issuer's single key pair (Ed25519, and RSA when it had one) becomes its
first `IssuerKey`, number 1, with the same public key, the same sealed private key (its
sealing context stays `skills-issuer-key:<issuer uid>`) and the same published URL
(`/badges/emetteurs/<uid>/cle`), so credentials already issued still verify."""

from django.db import migrations


def forwards(apps, schema_editor):
    Issuer = apps.get_model("skills", "Issuer")
    IssuerKey = apps.get_model("skills", "IssuerKey")
    IssuerKey.objects.bulk_create([
        IssuerKey(issuer_id=i.pk, number=1, public_key_multibase=i.public_key_multibase,
                  private_key_sealed=i.private_key_sealed, jwt_public_jwk=i.jwt_public_jwk,
                  jwt_private_key_sealed=i.jwt_private_key_sealed, created_at=i.created_at)
        for i in Issuer.objects.all()
    ])


def backwards(apps, schema_editor):
    """Back to one key per issuer: the current one (credentials signed with the others
    would no longer verify, which is why rotation needs this model)."""
    Issuer = apps.get_model("skills", "Issuer")
    IssuerKey = apps.get_model("skills", "IssuerKey")
    for key in IssuerKey.objects.filter(retired_at__isnull=True):
        Issuer.objects.filter(pk=key.issuer_id).update(
            public_key_multibase=key.public_key_multibase, private_key_sealed=key.private_key_sealed,
            jwt_public_jwk=key.jwt_public_jwk, jwt_private_key_sealed=key.jwt_private_key_sealed)
    IssuerKey.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('skills', '0005_issuerkey'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
