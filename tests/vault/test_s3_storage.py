"""The S3-compatible backend (django-storages), against a real S3 HTTP server on the
loopback: moto in server mode (skipped when moto is not installed)."""

import datetime as dt
import io

import pytest

from passeport.vault import selectors, services
from passeport.vault.integrity import integrity_check
from passeport.vault.models import PendingBlob
from passeport.vault.sealing import Sealer
from passeport.vault.storage import get_storage

from .conftest import deposit, pdf

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

pytestmark = pytest.mark.django_db
BUCKET = "passeport-vault-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    options = {"bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
               "access_key": "testing", "secret_key": "testing", "location": "vault"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    settings.PASSEPORT_VAULT_STORAGE = "s3"
    settings.PASSEPORT_VAULT_S3 = options
    settings.PASSEPORT_VAULT_MAX_UPLOAD_MB = 20
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    for upload in client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
        client.abort_multipart_upload(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
    client.delete_bucket(Bucket=BUCKET)


def objects(client) -> dict:
    answer = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            for item in answer.get("Contents", [])}


@pytest.mark.parametrize("size", [50_000, 12 * 1024 * 1024])  # one PUT, then a multipart upload
def test_deposit_and_download_through_s3(s3, own_safe, size):
    marker = b"SECRET-NIR-185052901912345"
    content = pdf(size, marker=marker)
    result = deposit(own_safe, content)
    stored = objects(s3)
    assert list(stored) == [f"vault/{result.version.blob_name}"]
    assert marker not in stored[f"vault/{result.version.blob_name}"]
    document = selectors.document_get_for(own_safe, result.document.uid)
    opened = services.version_open(safe=own_safe, document=document, version=result.version)
    assert b"".join(opened.chunks) == content
    assert integrity_check().ok


def test_tampered_object_and_orphans_are_detected(s3, own_safe):
    result = deposit(own_safe, pdf(100_000))
    key = f"vault/{result.version.blob_name}"
    raw = bytearray(objects(s3)[key])
    raw[5000] ^= 1
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(raw))
    s3.put_object(Bucket=BUCKET, Key="vault/" + "cd" * 16, Body=b"stray")
    report = integrity_check()
    assert len(report.mismatches) == 1 and report.orphans == ["cd" * 16]
    document = selectors.document_get_for(own_safe, result.document.uid)
    with pytest.raises(services.DocumentDamaged):
        services.version_open(safe=own_safe, document=document, version=result.version)


def test_an_interrupted_multipart_upload_is_invisible_and_recovered(s3, own_safe):
    sealer = Sealer()
    chunk = pdf(1024 * 1024)
    for _ in range(10):  # > one 8 MiB part: a multipart upload is started
        sealer.write(chunk)
    # The process dies here: nothing is visible in the bucket.
    assert objects(s3) == {}
    report = integrity_check()
    assert report.ok and report.leftovers == [sealer.upload.blob_name]
    services.vault_recover(older_than=dt.timedelta(0))
    assert not PendingBlob.objects.exists()
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert list(get_storage().leftovers()) == []
    deposit(own_safe, io.BytesIO(pdf()).getvalue())
    assert integrity_check().ok
