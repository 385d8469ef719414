"""The map page: sources under src/, built assets under static/ (served with no Node.js)."""
