"""Open Badges 3.0 / W3C Verifiable Credentials 2.0 building blocks with no database:
the offline JSON-LD document loader, the `eddsa-rdfc-2022` Data Integrity proof, multibase
keys, JSON Schema validation, Bitstring Status Lists and baking into PNG and SVG."""
