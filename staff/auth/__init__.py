"""Sign-in plumbing: the identifier backend, lockout (django-axes), two-factor for staff (django-otp) and
single sign-on (OpenID Connect). What officials see lives in staff/views/accounts.py."""
