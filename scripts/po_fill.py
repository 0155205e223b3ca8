"""Fill empty Dutch translations in locale/nl from a Python file of {msgid: msgstr} (T) and plurals (PLURALS).

Usage: .venv/bin/python scripts/po_fill.py translations.py [...]
Existing translations are kept; fuzzy flags on filled entries are removed. Prints what is still missing.
"""

import runpy
import sys

import polib

PO_PATH = "locale/nl/LC_MESSAGES/django.po"


def main(paths):
    translations, plurals = {}, {}
    for path in paths:
        namespace = runpy.run_path(path)
        translations.update(namespace.get("T", {}))
        plurals.update(namespace.get("PLURALS", {}))
    po = polib.pofile(PO_PATH)
    # A fuzzy header makes the compiler skip the whole catalogue.
    po.metadata_is_fuzzy = False
    po.metadata.update({"Project-Id-Version": "QMS", "Language": "nl", "Language-Team": "Dutch"})
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()) or "fuzzy" in entry.flags:
                if entry.msgid in plurals:
                    entry.msgstr_plural = dict(enumerate(plurals[entry.msgid]))
                    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
                else:
                    missing.append(entry.msgid)
        elif not entry.msgstr or "fuzzy" in entry.flags:
            if entry.msgid in translations:
                entry.msgstr = translations[entry.msgid]
                entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            else:
                missing.append(entry.msgid)
    po.save(PO_PATH)
    for msgid in missing:
        print(f"missing: {msgid!r}")
    print(f"{len(missing)} missing")


if __name__ == "__main__":
    main(sys.argv[1:])
