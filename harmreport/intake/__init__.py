"""The returns coming in: a council's answer read cell by cell from the .xlsx or .csv as it was
saved (reading), told by its code (cell_codes, vocabulary), checked row by row against the
authority lists (returns_checks, reference) and loaded as one edition's returns (returns);
and the guard that keeps returns out of git (committed_files). Imports only project."""
