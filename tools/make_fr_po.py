"""Write i18n/fr.po from i18n/account_billing_operations.pot with the French of tools/fr_terms.py.

usage: python tools/make_fr_po.py   (`make pot` runs it after exporting the .pot with Odoo's --i18n-export)

A message's French comes from tools/fr_terms.py, else from the fr.po already there (a translation added
straight in the .po is kept). It exits non-zero, listing them, when a message has no French or when a
French text lost or changed a placeholder (%(name)s, %s) or a markup tag of its English.
"""
import pathlib
import re
import sys

import polib

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fr_terms import TERMS

ROOT = pathlib.Path(__file__).resolve().parent.parent
POT = ROOT / "i18n" / "account_billing_operations.pot"
PO = ROOT / "i18n" / "fr.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|<[^>]+>")


def placeholders(text):
    """The %(name)s / %s placeholders and the markup tags of a message, sorted (a multiset)."""
    return sorted(PLACEHOLDER.findall(text))


def main():
    pot = polib.pofile(str(POT))
    old = {entry.msgid: entry.msgstr for entry in polib.pofile(str(PO))} if PO.exists() else {}
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(pot.metadata, Language="fr", **{"Plural-Forms": "nplurals=2; plural=(n > 1);"})
    missing, broken = [], []
    for entry in pot:
        msgstr = TERMS.get(entry.msgid) or old.get(entry.msgid, "")
        if not msgstr:
            missing.append(entry.msgid)
        elif placeholders(msgstr) != placeholders(entry.msgid):
            broken.append(entry.msgid)
        po.append(polib.POEntry(msgid=entry.msgid, msgstr=msgstr, occurrences=entry.occurrences,
                                comment=entry.comment, tcomment=entry.tcomment, flags=entry.flags))
    po.save(str(PO))
    print(f"fr.po: {len(pot) - len(missing)} of {len(pot)} messages translated")
    unused = sorted(set(TERMS) - {entry.msgid for entry in pot})
    if unused:
        print(f"tools/fr_terms.py: {len(unused)} entries no longer in the .pot (remove them):")
        print("".join(f"  {msgid!r}\n" for msgid in unused), end="")
    for title, msgids in (("without French", missing), ("whose placeholders or markup differ", broken)):
        if msgids:
            print(f"ERROR: {len(msgids)} messages {title}; add them to tools/fr_terms.py:", file=sys.stderr)
            print("".join(f"    {msgid!r}: \"\",\n" for msgid in msgids), end="", file=sys.stderr)
    return 1 if missing or broken else 0


if __name__ == "__main__":
    sys.exit(main())
