"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}, then compile.

Usage: python scripts/po_fill.py path/to/django.po translations.json
Entries already translated are left as they are; msgids missing from the JSON are listed.
The compiled .mo is committed, so a fresh clone needs no gettext tools.
"""

import json
import re
import subprocess
import sys


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: str, table: dict[str, str]) -> list[str]:
    text = open(po_path, encoding="utf-8").read()
    entries = text.split("\n\n")
    missing = []
    out = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)$', entry, re.M)
        if m and "msgid_plural" not in entry:
            msgid = _unquote(m.group(1))
            msgstr = _unquote(m.group(2))
            if msgid and not msgstr:
                if msgid in table:
                    entry = entry[: m.start()] + f"msgid {_quote(msgid)}\nmsgstr {_quote(table[msgid])}"
                    entry = entry.replace("#, fuzzy\n", "")
                else:
                    missing.append(msgid)
        out.append(entry)
    with open(po_path, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(out))
    subprocess.run(["msgfmt", "--check-format", "-o", po_path[:-3] + ".mo", po_path], check=True)  # noqa: S603,S607
    return missing


if __name__ == "__main__":
    po, table_path = sys.argv[1], sys.argv[2]
    left = fill(po, json.load(open(table_path, encoding="utf-8")))
    for msgid in left:
        print("untranslated:", msgid)
