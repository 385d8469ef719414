"""Places (gazetteer and geocoding), actors and sources (dictionaries), and the NER tagger."""
