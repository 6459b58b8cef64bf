#!/usr/bin/env python3
"""Validate .evtx files with python-evtx (pip install python-evtx==0.8.1), independently of the
evtx crate resetlens uses.

For every file (default: every *.evtx under sample-logs/): the file header and every chunk header
must verify (signature and CRCs), every record must render to well-formed XML, and the number of
records read must equal the number the chunk headers announce. Prints "<path>\t<records>" per file
on stdout (the Rust tests compare it with the evtx crate's count); problems go to stderr and make
the exit status 1.
"""

import pathlib
import sys
import xml.etree.ElementTree as ET

try:
    import Evtx.Evtx as evtx
except ImportError:
    sys.exit("python-evtx is not installed: run `pip install python-evtx==0.8.1`")


def check(path):
    """Returns (records read, list of problems)."""
    problems = []
    count = 0
    with evtx.Evtx(str(path)) as log:
        header = log.get_file_header()
        if not header.verify():
            problems.append("file header does not verify (magic, version or CRC)")
        announced = 0
        for n, chunk in enumerate(header.chunks()):
            if not chunk.verify():
                problems.append(f"chunk {n} does not verify (magic or CRCs)")
            announced += chunk.log_last_record_number() - chunk.log_first_record_number() + 1
            for record in chunk.records():
                try:
                    ET.fromstring(record.xml())
                except Exception as e:  # any failure to decode or render is a finding
                    problems.append(f"chunk {n} record {record.record_num()}: {e}")
                count += 1
        if count != announced:
            problems.append(f"read {count} records but the chunk headers announce {announced}")
    return count, problems


def main(argv):
    paths = [pathlib.Path(a) for a in argv] or [pathlib.Path("sample-logs")]
    files = []
    for p in paths:
        files.extend(sorted(p.rglob("*.evtx")) if p.is_dir() else [p])
    if not files:
        print("no .evtx files found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return 1
    failed = False
    for f in files:
        try:
            count, problems = check(f)
        except Exception as e:
            count, problems = 0, [f"cannot be read: {e}"]
        for problem in problems:
            print(f"{f}: {problem}", file=sys.stderr)
        failed |= bool(problems)
        print(f"{f}\t{count}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
