"""What readers see, made from stats.json: the charts and tile map (figures, tile_map, fonts),
the report's prose, tables and footnotes, the HTML page and the PDF (render, pdf, pdf_printer)
and the CMS fragment. Imports analysis, intake and project."""
