"""Vault: the person's digital safe — documents encrypted at rest, shared by the person's
choice, audited in a hash chain, never lost.

- `streaming` / `keys`: per-file data keys, AES-256-GCM in 64 KiB authenticated segments,
  data keys wrapped by a key-encryption key from the environment.
- `storage`: filesystem (temp → fsync → rename) or S3-compatible (django-storages) blobs.
- `sealing`: checks, hashes, scans and encrypts an upload while it is received.
- `ledger`: the hash-chained log of document events.
- `services` / `selectors` / `perms`: the rules (the person owns and shares; a
  professional sees what is shared with their organisation, under the "documents"
  consent); `integrity`: the whole-safe check.
"""
