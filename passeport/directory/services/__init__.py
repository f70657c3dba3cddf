"""Writes of the directory (use cases), one module per concern:

- offer: an organisation's own structures and services (data·inclusion schema);
- imports: import of data·inclusion files (JSON, CSV);
- orientations: orientations to partners, their state machine, reminders and expiry.

The communes are loaded by a data migration and `manage.py load_communes`
(passeport.directory.communes).
"""

from .imports import ImportReport, directory_import
from .offer import (
    InvalidRecord,
    service_delete,
    service_save,
    service_set_published,
    structure_delete,
    structure_save,
)
from .orientations import (
    TRANSITION_SERVICES,
    FollowUp,
    expire_after_days,
    orientation_accept,
    orientation_cancel,
    orientation_create,
    orientation_provide_info,
    orientation_refuse,
    orientation_request_info,
    orientations_follow_up,
    remind_after_days,
)

__all__ = [
    "TRANSITION_SERVICES",
    "FollowUp",
    "ImportReport",
    "InvalidRecord",
    "directory_import",
    "expire_after_days",
    "orientation_accept",
    "orientation_cancel",
    "orientation_create",
    "orientation_provide_info",
    "orientation_refuse",
    "orientation_request_info",
    "orientations_follow_up",
    "remind_after_days",
    "service_delete",
    "service_save",
    "service_set_published",
    "structure_delete",
    "structure_save",
]
