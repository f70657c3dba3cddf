"""Web: the pages (DSFR templates, forms, views), for professionals (`pro`) and for
the persons accompanied (`me`, "Mon passeport")."""
