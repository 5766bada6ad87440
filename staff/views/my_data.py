""""My data" (Law 91/2025 on personal data protection): what the platform holds about the signed-in official,
to read on a page and to take away as JSON or PDF, with who opened their record.

Only the signed-in official's own data: there is no identifier in the URL to probe, and an account without an
official record (an HR account) gets 404. Downloading is the official's own act on their own data and is not
written to the audit log (the personnel record download, which HR also makes, is).
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.pdf.my_data import my_data_filename, my_data_pdf_bytes
from staff.selectors import my_data as selectors


def _attachment(body: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
@never_cache  # personal data: never kept by a shared cache or the browser's back button
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    official = own_official_or_404(request, "unit")
    data = selectors.my_data(official)
    return render(request, "staff/my_data/page.html",
                  {"official": official, "data": data, **selectors.rows_by_course(data)})


@login_required
@require_GET
@never_cache
def my_data_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    official = own_official_or_404(request)
    # The official's own language, as in their other downloads; keys stay English for programs.
    with translation.override(official.preferred_language or "vi"):
        data = selectors.my_data(official)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _attachment(body.encode("utf-8"), filename=my_data_filename(official, "json"),
                       content_type="application/json; charset=utf-8")


@login_required
@require_GET
@never_cache
def my_data_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    official = own_official_or_404(request)
    with translation.override(official.preferred_language or "vi"):
        body = my_data_pdf_bytes(selectors.my_data(official))
    return _attachment(body, filename=my_data_filename(official, "pdf"), content_type="application/pdf")
