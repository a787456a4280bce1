"""Publishing: an edition made in a staging folder and swapped in whole (edition_folders), its
provenance manifest, the plan of what an up-to-date edition can reuse (incremental), and the
index of editions. Imports analysis (what republishing keeps), outputs (fonts) and project."""
