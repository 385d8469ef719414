"""One event from many reports, and the territorial-control timeline built from events."""
