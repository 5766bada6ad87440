"""Exporters (rows → XLSX/CSV), the training-record exports and the background export jobs."""
