"""The independent check: every file about to be published read back as text (file_text) and
searched for what disclosure control must have hidden (output_check), by code that shares no
decision with the build's. Imports analysis (its thresholds and symbols) and project."""
