"""Pages: an ICS's own records (records.py), and the views across systems (national.py)."""
