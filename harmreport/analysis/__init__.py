"""What the notebooks compute: the headline statistics, disclosure control, and the reasoning
a reader can do with ranges (inference), against the earlier editions' own decisions
(earlier_decisions) and every edition already published (republication).
Imports intake and project."""
