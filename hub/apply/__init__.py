"""Apply: projecting the mirror into hub records, with zero API calls."""
