"""marsad: Arabic news to geocoded, source-attributed conflict events."""

__version__ = "0.1.0"
