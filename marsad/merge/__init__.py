"""marsad.merge"""
