"""Shared mechanics of the 'Heading Back to Harm' report build, in rooms that follow the data
(README.md, "The package, room by room"): project, intake, analysis, notebooks, outputs, check,
publishing, pipeline and foi, with the command line in cli.py. The notebooks narrate the
analysis and import from intake, analysis, outputs and project.
"""
