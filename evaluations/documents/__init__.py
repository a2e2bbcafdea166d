"""Documents the evaluations app prints: PDFs with an embedded CJK font subset, and Excel workbooks."""
