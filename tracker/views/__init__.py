"""Pages, by concern: records.py (an ICS's own records, evidence and people), comparison.py (the matrix and the
roll-ups across systems), peer_learning.py, board_report.py, account.py (a user's API tokens), sign_in.py
(password and single sign-on, signing out)."""
