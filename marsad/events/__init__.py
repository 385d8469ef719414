"""Event triggers, arguments, attribution and modality: the ACLED coding of each article."""
