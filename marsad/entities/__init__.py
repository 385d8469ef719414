"""marsad.entities"""
