"""Pages of interop: the organisation's webhook subscriptions and their delivery log
(administrators), the person's download of their whole passport."""
