"""Imports from the spreadsheets HR and organizers keep: the roster of officials, a class's attendance.

Every import runs in the same order: limits on the upload (limits.py) before any row is parsed, rows
read in order as dicts keyed by canonical column (reader.py), then validate → plan → apply, all or
nothing (people.py, attendance.py). Writes go through staff/services.
"""
