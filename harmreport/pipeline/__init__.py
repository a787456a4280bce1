"""The build: one edition validated, analysed, rendered, checked and published (build), builds
in a session that keeps its kernel (session), in parallel (scheduler, worker), verified against
their manifests (verify, rerun), with the console and signals. Imports every room; only the
command line (harmreport.cli) imports it."""
