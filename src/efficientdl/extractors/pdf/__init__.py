"""Text, layout and tables of paper PDFs (pdfplumber words, camelot and pdfplumber tables)."""
