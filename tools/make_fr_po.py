"""Write i18n/fr.po from i18n/account_billing_operations.pot with the terms of tools/fr_terms.py.

usage: python tools/make_fr_po.py   (after exporting the .pot with Odoo's --i18n-export)
"""
import pathlib
import sys

import polib

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fr_terms import TERMS

ROOT = pathlib.Path(__file__).resolve().parent.parent
pot = polib.pofile(str(ROOT / "i18n" / "account_billing_operations.pot"))
po = polib.POFile()
po.metadata = dict(pot.metadata, Language="fr", **{"Plural-Forms": "nplurals=2; plural=(n > 1);"})
translated = 0
for entry in pot:
    msgstr = TERMS.get(entry.msgid, "")
    translated += bool(msgstr)
    po.append(polib.POEntry(msgid=entry.msgid, msgstr=msgstr, occurrences=entry.occurrences,
                            comment=entry.comment, tcomment=entry.tcomment, flags=entry.flags))
po.save(str(ROOT / "i18n" / "fr.po"))
print(f"fr.po: {translated} of {len(pot)} messages translated")
