"""The FOI round: a new edition started (new_edition), its returns workbook, the request's text
and how far the round has got (foi_round). Imports intake and project."""
