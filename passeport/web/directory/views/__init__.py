"""Pages of the directory: search (and, from a passport, the services that answer the
person's freins), orientations (create, inbox, answer), an organisation's own offer,
import and export, and the person's view of their orientations."""
