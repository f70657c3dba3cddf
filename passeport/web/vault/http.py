"""The pages' side of receiving sealed uploads (see passeport.vault.http)."""

from __future__ import annotations

from functools import wraps

from django.views.decorators.csrf import csrf_protect

from passeport.vault.http import (
    abort_uploads,
    file_response,
    install_upload_handler,
    upload_problem,
    zip_response,
)

__all__ = ["file_response", "receives_uploads", "upload_problem", "zip_response"]


def receives_uploads(gate):
    """Decorator of a view that receives a file. `gate(request, **kwargs)` checks who
    may post (NotFound → 404) BEFORE a byte of the body is read; its result is passed to
    the view as `context`. The handler is installed, then the CSRF check runs (it reads
    the body), then the view. Uploads the view did not commit are removed at the end."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            context = gate(request, *args, **kwargs)
            if request.method != "POST":
                return protected(request, context, *args, **kwargs)
            handler = install_upload_handler(request)
            try:
                return protected(request, context, *args, **kwargs)
            except BaseException:
                abort_uploads(request)
                raise
            finally:
                handler.discard_all()

        wrapper.csrf_exempt = True  # checked by csrf_protect once the handler is installed
        return wrapper

    return decorator
