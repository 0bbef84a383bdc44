#!/usr/bin/env python3
"""Prints each failed test in a .trx file with the first lines of its message.

CI logs are often shown truncated to their tail; this puts the failing names there.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(path: str) -> None:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        print(f"FAILED? could not read {path}: {error}")
        return
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") not in ("Failed", "Error"):
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        message = result.find("t:Output/t:ErrorInfo/t:Message", NS)
        if message is not None and message.text:
            for line in message.text.strip().splitlines()[:6]:
                print(f"    {line[:300]}")
        trace = result.find("t:Output/t:ErrorInfo/t:StackTrace", NS)
        if trace is not None and trace.text:
            for line in trace.text.strip().splitlines()[:4]:
                print(f"    {line.strip()[:300]}")


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        main(argument)
