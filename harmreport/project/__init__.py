"""The project's basics, which every other room uses: where things are (paths), the editions and
their data years, what an edition is built from (inputs), what a build is asked (build_request),
the checks of data/*.toml and the templates, JSON files, how numbers are written, and the errors.
Imports nothing else of harmreport."""
