"""Wagtail admin for running a class: roster, approvals, nomination, reserved seats, attendance, completion."""
