"""The Arabic layer: matching normalisation, clitic-aware tokens, sentences, dates and numbers."""
