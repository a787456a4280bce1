"""Shared mechanics of the 'Heading Back to Harm' report build.

The notebooks narrate the analysis; this package holds what they and the CLI share:
reading and validating FOI returns, statistics helpers, disclosure control, sources and
footnotes, figures, rendering and the build itself.
"""
