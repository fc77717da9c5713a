"""Pure helpers for the data checks: row hashing, column typing, personal-data patterns.

Nothing here reads files, prints, runs checks or knows about the report; the checks in
``unstuck.checks`` turn these measurements into findings.
"""
