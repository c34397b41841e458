"""Output forms, one module each: `json` (the contract's document, whole or streamed), `csv` (one row
per person, whole or streamed), `table` (text for terminals), `html` (every HTML view), `chart` (the
impact chart), `text` (display width of Chinese text, cells), `labels` (words read from the rules'
tables), `files` (files written whole or not at all), `xlsx` (an Excel workbook), `report_page` (the
report page, one self-contained HTML file); `report.render` writes the text ones of `FORMATS`.

Renders what the layers above hand it; imports only kernel, inputs, rules, base at run time.
"""

FORMATS: tuple[str, ...] = ("json", "csv", "table", "xlsx", "html")
"""What `cerules evaluate --format` writes (declared here, where nothing heavy is imported, for the CLI's parser)."""
