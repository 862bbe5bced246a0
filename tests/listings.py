"""Read the rows of a page or a file as the person who asked for it would: for tests that check
WHICH rows a user gets (scope), not only that the page answers."""

from __future__ import annotations

import csv
import io
import re

from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def listing_ids(response, objects_url: str) -> list[int]:
    """The object ids of the rows of a Wagtail admin listing (`table.listing`), one per row,
    read from each row's links to `objects_url` + `edit/<id>/` or `inspect/<id>/`."""
    pattern = re.compile(rf"^{re.escape(objects_url)}(?:edit|inspect)/(\d+)/")
    ids = []
    for row in soup(response).select("table.listing tbody tr"):
        found = {
            int(match.group(1))
            for link in row.select("a[href]")
            if (match := pattern.match(link["href"]))
        }
        assert len(found) == 1, f"a row without exactly one object link: {row}"
        ids.append(found.pop())
    return ids


def file_rows(response) -> list[list[str]]:
    """The data rows (header dropped) of a CSV or XLSX export, as text. (A streamed response
    can be read once: the rows are kept on it for the next caller.)"""
    if hasattr(response, "file_rows"):
        return response.file_rows
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    response.file_rows = rows[1:]
    return response.file_rows
