"""Writes, one module per subject. Views, forms, commands and tasks call these; nothing else changes state."""
