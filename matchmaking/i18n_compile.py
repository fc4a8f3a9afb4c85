"""Compile gettext .po catalogues to .mo in pure Python, so install needs no GNU gettext."""

from __future__ import annotations

import array
import ast
import struct
from pathlib import Path


def parse_po(text: str) -> dict[bytes, bytes]:
    """Return msgid -> msgstr (plural forms joined by NUL), skipping fuzzy and empty entries."""
    messages: dict[bytes, bytes] = {}
    entry: dict[str, list[str]] = {}
    section = ""
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            msgid = "".join(entry["msgid"])
            if "msgctxt" in entry:
                msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
            if "msgid_plural" in entry:
                msgid += "\x00" + "".join(entry["msgid_plural"])
                forms = sorted(k for k in entry if k.startswith("msgstr["))
                msgstr = "\x00".join("".join(entry[k]) for k in forms)
            else:
                msgstr = "".join(entry.get("msgstr", []))
            if msgstr.replace("\x00", "") or msgid == "":
                messages[msgid.encode()] = msgstr.encode()
        entry, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush() if "msgid" in entry else None
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            entry[section].append(ast.literal_eval(line))
            continue
        if keyword in ("msgctxt", "msgid") and "msgid" in entry and section != "msgctxt":
            was_fuzzy = fuzzy
            fuzzy = False
            flush()
            fuzzy = was_fuzzy
        section = keyword
        entry[section] = [ast.literal_eval(rest)]
    flush()
    return messages


def write_mo(messages: dict[bytes, bytes], path: Path) -> None:
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.write_bytes(header + array.array("i", koffsets + voffsets).tobytes() + ids + strs)


def compile_catalogue(po: Path) -> Path:
    mo = po.with_suffix(".mo")
    write_mo(parse_po(po.read_text(encoding="utf-8")), mo)
    return mo
