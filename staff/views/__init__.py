"""Public-site views of staff, split by subject; each module declares its own ``urlpatterns``."""
