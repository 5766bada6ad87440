"""Merge locale/fragments/*.po into locale/vi/LC_MESSAGES/django.po: a fragment's translation wins over an
empty or fuzzy one (never over a reviewed translation). A maintenance tool: `python locale/merge_fragments.py`."""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent
catalog = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
known = {(entry.msgctxt, entry.msgid): entry for entry in catalog if not entry.obsolete}
filled = 0
for fragment in sorted((LOCALE / "fragments").glob("*.po")):
    for item in polib.pofile(str(fragment)):
        entry = known.get((item.msgctxt, item.msgid))
        if entry is None or not (item.msgstr or any(item.msgstr_plural.values())):
            continue
        if entry.translated() and "fuzzy" not in entry.flags and "--force" not in sys.argv:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(item.msgstr_plural) or {0: item.msgstr}  # Vietnamese has one form
        else:
            entry.msgstr = item.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None  # a lone "#| msgid_plural" left behind is a msgfmt syntax error
        filled += 1
# A "#| msgid_plural" without its "#| msgid" (left by older runs) is a msgfmt syntax error: drop it.
for entry in catalog:
    if entry.previous_msgid_plural and not entry.previous_msgid:
        entry.previous_msgid_plural = None
catalog.save()
print(f"{filled} translations filled from fragments")
