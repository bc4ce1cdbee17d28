"""What several front ends and jobs share, below them and above the commands: the change
workflow (changes.py), exports of the change log and the plan (export.py), Home
(home.py), and a plan reload applied to the running bot (reload.py)."""
