"""Response headers every page carries: Content-Security-Policy (django-csp) and Permissions-Policy.

base.py puts HEADER_APPS into INSTALLED_APPS and HEADER_MIDDLEWARE right after Django's SecurityMiddleware.
"""

HEADER_APPS: list[str] = []
HEADER_MIDDLEWARE: list[str] = []
