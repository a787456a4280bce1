"""Running the notebooks: their kernel (started once, reused), papermill with our engine, the
parameters each notebook takes, executed notebooks made stable (stable_output) and their web
pages for reviewers (pages). Imports only project: nothing here knows what a notebook computes."""
